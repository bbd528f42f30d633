"""Who follows which territory, and the messages a référent sent (never their bodies)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import timestamp, utcnow


class Assignment(db.Model):
    """One territory of one référent: a région, or one of their départements."""

    __tablename__ = "referent_territories"
    __table_args__ = (UniqueConstraint("user_id", "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # territories.REGION or DEPARTEMENT
    code: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = timestamp(default=utcnow)


class SentMessage(db.Model):
    """A message to the territory's animateurs: its subject, date and number of recipients,
    for the rate limit and the référent's own data. Neither the body nor who received it.
    `submission`: the form page's one-time token, so that a page sent twice sends once."""

    __tablename__ = "referent_messages"
    __table_args__ = (UniqueConstraint("referent_id", "submission"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(150))
    recipients: Mapped[int]
    submission: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime] = timestamp(default=utcnow)
