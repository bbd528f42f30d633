"""Readiness answers, the animateur certificate, and the history of every status change."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import timestamp, utcnow


class ReadinessAnswer(db.Model):
    """Every answer is kept; the latest of a phase counts."""

    __tablename__ = "readiness_answers"
    __table_args__ = (
        Index("ix_readiness_answers_user_phase", "user_id", "phase"),
        # Statistics: each person's latest answer to a statement, found by one index seek.
        Index(
            "ix_readiness_answers_latest",
            "statement_id",
            "phase",
            "user_id",
            "answered_at",
            "id",
            "value",
        ),
        # A form sent twice (a double click) is kept once: see readiness.save.
        Index(
            "uq_readiness_answers_submission",
            "user_id",
            "submission",
            "statement_id",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(10))  # initial | final
    statement_id: Mapped[str] = mapped_column(String(50))
    value: Mapped[int]
    answered_at: Mapped[datetime] = timestamp(default=utcnow)
    # The random token of the form page the answers came from (none before it existed).
    submission: Mapped[str | None] = mapped_column(String(64))


class Certificate(db.Model):
    """The animateur status once granted: one per person, ever (the unique user_id says so)."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # random, 128 bits or more
    issued_at: Mapped[datetime] = timestamp(default=utcnow)
    revoked_at: Mapped[datetime | None] = timestamp()
    revocation_reason: Mapped[str | None] = mapped_column(Text)


class TrainerValidation(db.Model):
    """A formateur's (or an admin's) validation, where configuration requires one."""

    __tablename__ = "trainer_validations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    validated_at: Mapped[datetime] = timestamp(default=utcnow)


class StatusChange(db.Model):
    """One row per change: a status entered, or a formateur's validation (« valide »)."""

    __tablename__ = "status_changes"
    # « Éligible » is entered once per person: this partial index keeps a race from writing it
    # twice (SQLite and PostgreSQL both support partial indexes).
    __table_args__ = (
        Index(
            "uq_status_changes_eligible_once",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'eligible'"),
            postgresql_where=text("status = 'eligible'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # the status entered, or « valide »
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = timestamp(default=utcnow)
