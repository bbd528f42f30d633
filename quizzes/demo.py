"""Demo attempts: the demo learner failed module 1's quiz once, then passed it."""

from werkzeug.datastructures import MultiDict

from courses import progress

from . import services
from .bank import Quiz
from .grading import field_name


def right_answers(quiz: Quiz) -> MultiDict:
    """The form a person answering everything right would send."""
    form = MultiDict()
    for q in quiz.questions:
        if q.kind in ("single", "multiple"):
            for choice in q.choices:
                if choice.correct:
                    form.add(field_name(q), choice.id)
        elif q.kind == "truefalse":
            form.add(field_name(q), "vrai" if q.answer else "faux")
        elif q.kind == "ordering":
            for position, item in enumerate(q.items, start=1):
                form.add(field_name(q, item), str(position))
        else:
            for item in q.items:
                form.add(field_name(q, item), item.category)
    return form


def half_right_answers(quiz: Quiz) -> MultiDict:
    """Right on the second half of the questions only: a failed attempt."""
    form = right_answers(quiz)
    for q in quiz.questions[: len(quiz.questions) // 2]:
        if q.kind == "truefalse":
            form[field_name(q)] = "faux" if q.answer else "vrai"
        elif q.kind in ("single", "multiple"):
            form.setlist(field_name(q), [c.id for c in q.choices if not c.correct][:1])
    return form


def learner_attempts(find_user) -> None:
    learner = find_user("apprenant@exemple.fr")
    quiz = services.quizzes()[progress.catalogue().modules[0].slug]
    if services.best_scores(learner).get(quiz.module_slug):
        return
    for answers in (half_right_answers(quiz), right_answers(quiz)):
        services.submit(learner, quiz, services.current_attempt(learner, quiz), answers)
