"""Progress, keyed by stable slugs: editing a lesson's text loses nobody's progress."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
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


class ActivityAnswer(db.Model):
    """A person's last answer to an activity block of a lesson (a check, a reflection note…),
    as the block's kind saved it: `value` is the kind's own JSON."""

    __tablename__ = "activity_answers"
    __table_args__ = (UniqueConstraint("user_id", "module_slug", "lesson_slug", "block_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_slug: Mapped[str] = mapped_column(String(100))
    lesson_slug: Mapped[str] = mapped_column(String(100))
    block_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(50))
    value: Mapped[dict] = mapped_column(JSON)
    answered_at: Mapped[datetime] = timestamp(default=utcnow)
