"""Progress, keyed by stable slugs: editing a lesson's text loses nobody's progress."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import timestamp, utcnow


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_slug", "lesson_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_slug: Mapped[str] = mapped_column(String(100))
    lesson_slug: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = timestamp(default=utcnow)
    last_seen_at: Mapped[datetime] = timestamp(default=utcnow)
    completed_at: Mapped[datetime | None] = timestamp()


class ModuleProgress(db.Model):
    """When a person first opened a module, and when they completed it."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_slug: Mapped[str] = mapped_column(String(100))
    launched_at: Mapped[datetime] = timestamp(default=utcnow)
    completed_at: Mapped[datetime | None] = timestamp()
