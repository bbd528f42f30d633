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
