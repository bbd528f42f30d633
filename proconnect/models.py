"""The link between an account and a ProConnect identity: `sub` is unique per identity provider."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import User, timestamp, utcnow


class ProConnectIdentity(db.Model):
    __tablename__ = "proconnect_identities"
    __table_args__ = (UniqueConstraint("sub", "idp_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    sub: Mapped[str] = mapped_column(String(255))
    idp_id: Mapped[str] = mapped_column(String(255))
    siret: Mapped[str] = mapped_column(String(14))
    linked_at: Mapped[datetime] = timestamp(default=utcnow)


def identity_of(user: User) -> ProConnectIdentity | None:
    return db.session.scalar(
        select(ProConnectIdentity).where(ProConnectIdentity.user_id == user.id)
    )


def account_for(sub: str, idp_id: str) -> User | None:
    query = select(User).join(ProConnectIdentity, ProConnectIdentity.user_id == User.id)
    return db.session.scalar(
        query.where(ProConnectIdentity.sub == sub, ProConnectIdentity.idp_id == idp_id)
    )


def personal_data(user: User) -> dict | None:
    identity = identity_of(user)
    if identity is None:
        return None
    return {
        "sub": identity.sub,
        "idp_id": identity.idp_id,
        "siret": identity.siret,
        "relie_le": identity.linked_at.isoformat(),
    }


def forget(user: User) -> None:
    """The erasure takes the link too (SQLite does not enforce ON DELETE CASCADE here)."""
    db.session.execute(delete(ProConnectIdentity).where(ProConnectIdentity.user_id == user.id))
