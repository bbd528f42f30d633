"""A cohort, its formateurs, its learners, and the reminders sent to them."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import timestamp, utcnow


class Cohort(db.Model):
    __tablename__ = "cohorts"
    __table_args__ = (Index("uq_cohorts_creation_token", "creation_token", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    territory: Mapped[str] = mapped_column(String(120), default="")
    departement_code: Mapped[str | None] = mapped_column(String(3))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    invite_code: Mapped[str] = mapped_column(String(64), unique=True)  # random, unguessable
    # The token of the form page that created it: that page sent again finds this cohort
    # (services.create_once). Cohorts made before it existed have none.
    creation_token: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = timestamp(default=utcnow)
    # Closed by a formateur: the invitation link lets nobody join until it is regenerated.
    invite_closed_at: Mapped[datetime | None] = timestamp()
    # Archived: out of the active list, still readable, restorable; nobody joins it.
    archived_at: Mapped[datetime | None] = timestamp()

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def link_open(self) -> bool:
        return self.invite_closed_at is None and not self.archived


class CohortTrainer(db.Model):
    __tablename__ = "cohort_trainers"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class CohortMember(db.Model):
    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(10), default="lien")  # lien | import
    joined_at: Mapped[datetime] = timestamp(default=utcnow)


class Reminder(db.Model):
    """Each reminder e-mail sent: who sent it, to whom, when (the log, and the rate limit)."""

    __tablename__ = "cohort_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = timestamp(default=utcnow)


class CohortInvitation(db.Model):
    """An existing account named in an import: it joins the cohort only if its owner accepts.

    One per cohort and person, whatever its outcome: importing the file again neither invites
    twice nor asks again someone who declined or left."""

    __tablename__ = "cohort_invitations"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    PENDING, ACCEPTED, DECLINED = "en_attente", "acceptee", "refusee"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    created_at: Mapped[datetime] = timestamp(default=utcnow)
    answered_at: Mapped[datetime | None] = timestamp()


class CohortNotice(db.Model):
    """An e-mail an import owes someone: a new account's link to choose a password, or an
    invitation. Queued in the import's transaction and sent after it, a few at once and the
    rest in the background, so a 2,000-line import answers at once and no e-mail is lost."""

    __tablename__ = "cohort_notices"

    ACCOUNT, INVITATION = "compte", "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = timestamp(default=utcnow)
    claimed_at: Mapped[datetime | None] = timestamp()  # a sender took it (or is taking it)
    sent_at: Mapped[datetime | None] = timestamp()


class CohortImport(db.Model):
    """An import committed, known by its preview: that preview confirmed again (a double click,
    tabs) is not imported twice, and says what the first confirmation did (importing.commit)."""

    __tablename__ = "cohort_imports"
    __table_args__ = (UniqueConstraint("cohort_id", "preview_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    preview_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the signed preview
    created: Mapped[int]  # accounts created and enrolled
    invited: Mapped[int]  # existing accounts invited
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = timestamp(default=utcnow)
