"""LTI 1.3: the platforms registered, who came from them, their courses and the grades to send."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import timestamp, utcnow


class Platform(db.Model):
    """An LMS (Moodle, Open edX…) registered by an admin or by LTI Dynamic Registration."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    deployment_ids: Mapped[str] = mapped_column(Text, default="")  # one a line
    auth_login_url: Mapped[str] = mapped_column(String(500))
    token_url: Mapped[str] = mapped_column(String(500))
    jwks_url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = timestamp(default=utcnow)

    @property
    def deployments(self) -> list[str]:
        return [line.strip() for line in self.deployment_ids.splitlines() if line.strip()]


class Nonce(db.Model):
    """A launch's nonce, spent once: a replayed id_token finds it used."""

    __tablename__ = "lti_nonces"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = timestamp(default=utcnow)
    used_at: Mapped[datetime | None] = timestamp()


class Identity(db.Model):
    """A person of a platform: matched on its issuer and `sub`, never on an e-mail address."""

    __tablename__ = "lti_identities"
    __table_args__ = (UniqueConstraint("issuer", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    sub: Mapped[str] = mapped_column(String(255))


class Context(db.Model):
    """An LMS course (its context) and the cohort it maps to, with its services' URLs."""

    __tablename__ = "lti_contexts"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(String(255))
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(255), default="")
    lineitems_url: Mapped[str | None] = mapped_column(String(500))
    memberships_url: Mapped[str | None] = mapped_column(String(500))
    ags_scopes: Mapped[str] = mapped_column(Text, default="")


class LineItem(db.Model):
    """A column of the LMS gradebook: one per module, one for the animateur status."""

    __tablename__ = "lti_line_items"
    __table_args__ = (UniqueConstraint("context_id", "resource_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id", ondelete="CASCADE"))
    resource_id: Mapped[str] = mapped_column(String(120))  # a module's slug, or "statut"
    url: Mapped[str] = mapped_column(String(500))


class GradeDelivery(db.Model):
    """The outbox: a score to post to a line item, kept until the platform accepts it."""

    __tablename__ = "lti_grade_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(
        ForeignKey("lti_contexts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[str] = mapped_column(String(120))
    score: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = timestamp(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = timestamp(default=utcnow)
    delivered_at: Mapped[datetime | None] = timestamp()
