"""« Votre parcours » on the dashboard: the next step, right at both ends of the training.

Before any lesson: « Commencer la formation ». Between: « Reprendre » the lesson where the
person stopped. Once every lesson is done, courses knows nothing of what follows (a quiz, the
final readiness, the annuaire, the cafés): the features above answer through hooks.NEXT_STEP.
"""

from flask import url_for
from sqlalchemy import func, select

from lms import hooks
from lms.extensions import db

from . import progress
from .models import LessonProgress

START, RESUME = "Commencer la formation", "Reprendre"


def dashboard_panel(user) -> dict:
    states = progress.overview(user)
    return {"states": states, "next": next_step(user, states)}


def next_step(user, states) -> dict | None:
    if not states:
        return None
    if all(state.done == state.total for state in states):
        return hooks.next_step(user) or {
            "text": "Vous avez terminé toutes les leçons.",
            "label": "Revoir les modules",
            "url": url_for("courses.catalogue"),
        }
    module, lesson = progress.resume_target(user)
    return {
        "text": f"Prochaine étape : « {lesson.title} » ({module.title}).",
        "label": RESUME if started(user) else START,
        "url": url_for("courses.lesson", module_slug=module.slug, lesson_slug=lesson.slug),
    }


def started(user) -> bool:
    query = select(func.count()).where(LessonProgress.user_id == user.id)
    return bool(db.session.scalar(query))
