"""Answers a person could send, for the demo and for tests; the demo learner's attempts.

An attempt names its options by values drawn for it alone, so answers are built for one attempt:
`right_answers(quiz, attempt)` is the form a person answering that attempt all right would send.
Without an attempt, the answers wait for one: services.submit builds them for the attempt it
grades (the demo, or a test that calls services.submit directly).
"""

from werkzeug.datastructures import MultiDict

from courses import progress
from lms.extensions import db

from . import draw, services
from .bank import Quiz
from .grading import field_name
from .models import QuizAttempt


class PendingAnswers(MultiDict):
    """Answers to be built once the attempt is known (empty until then)."""

    def __init__(self, build):
        super().__init__()
        self.build = build  # list[Shown] -> MultiDict


def _asked(quiz: Quiz, attempt) -> list[draw.Shown]:
    if not isinstance(attempt, QuizAttempt):  # an attempt id, as read in the page
        attempt = db.session.get(QuizAttempt, int(attempt), populate_existing=True)
    return draw.shown(quiz, attempt.layout)


def _right(asked: list[draw.Shown]) -> MultiDict:
    form = MultiDict()
    for shown in asked:
        q, name = shown.question, field_name(shown.question)
        if q.kind in ("single", "multiple"):
            for choice in q.choices:
                if choice.correct:
                    form.add(name, shown.value_of(choice.id))
        elif q.kind == "truefalse":
            form.add(name, "vrai" if q.answer else "faux")
        elif q.kind == "ordering":
            for position, item in enumerate(q.items, start=1):
                form.add(field_name(q, shown.value_of(item.id)), str(position))
        elif q.kind == "matching":
            for pair in q.pairs:
                form.add(field_name(q, shown.value_of(pair.id)), shown.target_value_of(pair.id))
        else:
            for item in q.items:
                form.add(
                    field_name(q, shown.value_of(item.id)), shown.target_value_of(item.category)
                )
    return form


def _half_right(asked: list[draw.Shown]) -> MultiDict:
    """Right on the second half of the questions only, wrong on the first: a failed attempt."""
    form = _right(asked)
    for shown in asked[: len(asked) // 2]:
        q, name = shown.question, field_name(shown.question)
        if q.kind == "truefalse":
            form[name] = "faux" if q.answer else "vrai"
        elif q.kind in ("single", "multiple"):
            form.setlist(name, [shown.value_of(c.id) for c in q.choices if not c.correct][:1])
        elif q.kind == "ordering":
            for position, item in enumerate(reversed(q.items), start=1):
                form[field_name(q, shown.value_of(item.id))] = str(position)
        else:  # every item in the same target: at most one category (or pair) right
            first = shown.targets[0][1]
            for _, value in shown.options:
                form[field_name(q, value)] = first
    return form


def right_answers(quiz: Quiz, attempt=None) -> MultiDict:
    """The form a person answering every question of `attempt` (an attempt or its id) right
    would send."""
    return PendingAnswers(_right) if attempt is None else _right(_asked(quiz, attempt))


def half_right_answers(quiz: Quiz, attempt=None) -> MultiDict:
    """Wrong on the first half of the attempt's questions: a failed attempt."""
    return PendingAnswers(_half_right) if attempt is None else _half_right(_asked(quiz, attempt))


def learner_attempts(find_user) -> None:
    learner = find_user("apprenant@exemple.fr")
    quiz = services.quizzes()[progress.catalogue().modules[0].slug]
    if services.best_scores(learner).get(quiz.module_slug):
        return
    for answers in (half_right_answers(quiz), right_answers(quiz)):
        services.submit(learner, quiz, services.current_attempt(learner, quiz), answers)
