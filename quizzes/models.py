"""Attempts, all kept, with what they showed, what was answered and the score."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import timestamp, utcnow


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        Index("ix_quiz_attempts_user_module", "user_id", "module_slug"),
        # One attempt in progress per person and quiz: two tabs share it (services.current_attempt).
        Index(
            "uq_quiz_attempts_one_open",
            "user_id",
            "module_slug",
            unique=True,
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(100))
    layout: Mapped[dict] = mapped_column(JSON)  # question id -> option ids, in the order shown
    answers: Mapped[dict | None] = mapped_column(JSON)
    score: Mapped[float | None]
    passed: Mapped[bool | None]
    started_at: Mapped[datetime] = timestamp(default=utcnow)
    submitted_at: Mapped[datetime | None] = timestamp()


class QuestionAnswer(db.Model):
    """One graded answer: the rows that item statistics count."""

    __tablename__ = "quiz_answers"
    # The question analysis reads this index alone, already in the order it groups by.
    __table_args__ = (
        Index("ix_quiz_answers_question_correct", "module_slug", "question_id", "correct"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True
    )
    module_slug: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    score: Mapped[float]
    correct: Mapped[bool]
