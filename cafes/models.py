"""A café announced by a certified animateur, its co-animateurs, and the people registered.

A registration holds the only personal data of the feature (a name, an e-mail or a phone
number): it is erased ERASE_AFTER the café (services.erase_past_participants).
"""

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import timestamp, utcnow

FORMATS = {"presentiel": "En présentiel", "en_ligne": "En ligne", "hybride": "Hybride"}
ANIMATIONS = {
    "recette": "La recette en cinq étapes",
    "mallette": "Les séquences de la Mallette IA",
    "autre": "Un autre format",
}
CONFIRMED, WAITING = "inscrit", "attente"


class Cafe(db.Model):
    __tablename__ = "cafes"
    __table_args__ = (
        Index("ix_cafes_day_departement", "day", "departement_code"),
        # The announcement page's one-time token: that page sent twice announces one café.
        UniqueConstraint("animateur_id", "submission"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    animateur_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    day: Mapped[date] = mapped_column(Date)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    format: Mapped[str] = mapped_column(String(20))
    structure: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(200), default="")
    commune: Mapped[str] = mapped_column(String(100))
    departement_code: Mapped[str] = mapped_column(String(3))
    region: Mapped[str] = mapped_column(String(60))
    online_link: Mapped[str] = mapped_column(String(500), default="")  # registered people only
    audience: Mapped[str] = mapped_column(String(30))
    animation: Mapped[str] = mapped_column(String(20))
    animation_other: Mapped[str] = mapped_column(String(100), default="")
    capacity: Mapped[int]
    # Seats taken by confirmed registrations: a conditional UPDATE takes the last one once.
    seats_taken: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = timestamp(default=utcnow)
    updated_at: Mapped[datetime] = timestamp(default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = timestamp()
    hidden_at: Mapped[datetime | None] = timestamp()  # moderation
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    held_recorded_at: Mapped[datetime | None] = timestamp()  # the « hosted » statement, once
    participants_erased_at: Mapped[datetime | None] = timestamp()
    # What is left once the participants are erased: how many came registered.
    participants_count: Mapped[int | None]
    submission: Mapped[str | None] = mapped_column(String(64))

    co_animateurs: Mapped[list["CoAnimateur"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class CoAnimateur(db.Model):
    """An animateur of the annuaire who animates with the author: a listing, never an address."""

    __tablename__ = "cafe_co_animateurs"
    __table_args__ = (UniqueConstraint("cafe_id", "listing_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cafe_id: Mapped[int] = mapped_column(ForeignKey("cafes.id", ondelete="CASCADE"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("annuaire_listings.id", ondelete="CASCADE"))


class Registration(db.Model):
    """One person for one café, confirmed or waiting; deleted when they cancel."""

    __tablename__ = "cafe_registrations"
    __table_args__ = (
        UniqueConstraint("cafe_id", "email"),
        Index("ix_cafe_registrations_cafe_status", "cafe_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cafe_id: Mapped[int] = mapped_column(ForeignKey("cafes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))  # entered by the animateur
    status: Mapped[str] = mapped_column(String(10))
    # 256 random bits: the cancellation link is the only key a participant holds.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    consented_at: Mapped[datetime] = timestamp(default=utcnow)
    reminded_at: Mapped[datetime | None] = timestamp()
