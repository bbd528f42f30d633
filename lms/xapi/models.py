"""Stored statements: the durable log of what happened, and the outbox that delivers it."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import timestamp, utcnow


class Delivery(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    REJECTED = "rejected"


class StoredStatement(db.Model):
    __tablename__ = "xapi_statements"
    __table_args__ = (
        # The outbox takes waiting statements oldest first (see outbox.claim).
        Index("ix_xapi_statements_waiting", "delivery", "stored", "id"),
        Index("ix_xapi_statements_stored", "stored", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    verb: Mapped[str] = mapped_column(String(200))  # ten verbs or so: an index would not narrow
    object_id: Mapped[str] = mapped_column(String(500), index=True)
    registration: Mapped[str | None] = mapped_column(String(36))  # the person's: users.registration
    stored: Mapped[datetime] = timestamp(default=utcnow)
    payload: Mapped[str] = mapped_column(Text)  # the statement as tincan serialised it

    # Outbox: each statement keeps its id, so a retry can never create a duplicate.
    delivery: Mapped[str] = mapped_column(String(10), default=Delivery.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = timestamp(default=utcnow)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = timestamp()
    delivered_at: Mapped[datetime | None] = timestamp()
    last_error: Mapped[str | None] = mapped_column(Text)
    # Written with the statement (the relationship orders the inserts), deleted by the database.
    activities: Mapped[list["StatementActivity"]] = relationship(passive_deletes=True)


class StatementActivity(db.Model):
    """The context activities a statement names (its parent), for the read API's
    `related_activities` filter: its object is in `object_id`, and the training, which every
    statement names, matches them all."""

    __tablename__ = "xapi_statement_activities"
    __table_args__ = {"sqlite_with_rowid": False}  # the primary key is the table

    statement_id: Mapped[str] = mapped_column(
        ForeignKey("xapi_statements.id", ondelete="CASCADE"), primary_key=True
    )
    activity_id: Mapped[str] = mapped_column(String(500), primary_key=True, index=True)
