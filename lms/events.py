"""Signals between features: one feature says what happened, another decides what follows.

`learning_progressed` is sent after a change that can affect a person's eligibility
(a lesson or module completed, a quiz passed, a readiness answer) has been committed.
"""

from blinker import Namespace

_signals = Namespace()
learning_progressed = _signals.signal("learning-progressed")
