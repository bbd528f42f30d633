"""Signals between features: one feature says what happened, another decides what follows.

`learning_progressed` is sent after a change that can affect a person's eligibility
(a lesson or module completed, a quiz passed, a readiness answer) has been committed.
`awaiting_validation` is sent once, when a person has met every criterion but the validation
that a formateur must give (REQUIRE_TRAINER_VALIDATION), so that someone is told.
`account_erasing` is sent inside the transaction that erases an account, before its rows go:
a feature may keep there what needs no identifier (the anonymous facts of the statistics), and
it is committed with the erasure or not at all.
"""

from blinker import Namespace

_signals = Namespace()
learning_progressed = _signals.signal("learning-progressed")
awaiting_validation = _signals.signal("awaiting-validation")
account_erasing = _signals.signal("account-erasing")
