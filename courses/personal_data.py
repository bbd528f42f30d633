"""« Télécharger mes données »: the modules a person opened and completed (the lessons are
progress.personal_rows, under « progression »)."""

from sqlalchemy import select

from lms.extensions import db

from .models import ModuleProgress

TABLES = ("module_progress",)


def personal_modules(user) -> list[dict]:
    rows = db.session.scalars(
        select(ModuleProgress).where(ModuleProgress.user_id == user.id).order_by(ModuleProgress.id)
    )
    return [
        {
            "module": row.module_slug,
            "ouvert_le": row.launched_at.isoformat(),
            "termine_le": row.completed_at.isoformat() if row.completed_at else None,
        }
        for row in rows
    ]


ACTIVITY_TABLES = ("activity_answers",)


def personal_activities(user) -> list[dict]:
    """Every answer kept to a lesson's activities: checks, reflection notes…"""
    from .models import ActivityAnswer

    rows = db.session.scalars(
        select(ActivityAnswer).where(ActivityAnswer.user_id == user.id).order_by(ActivityAnswer.id)
    )
    return [
        {
            "module": row.module_slug,
            "lecon": row.lesson_slug,
            "activite": row.block_id,
            "type": row.kind,
            "reponse": row.value,
            "le": row.answered_at.isoformat(),
        }
        for row in rows
    ]
