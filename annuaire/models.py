"""A listing: what a certified animateur agreed to publish, and when they agreed."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models import timestamp, utcnow

FORMATS = {"presentiel": "En présentiel", "en_ligne": "En ligne"}
AUDIENCES = {
    "tout_public": "Tout public",
    "seniors": "Seniors",
    "jeunes": "Jeunes",
    "parents": "Parents",
    "professionnels": "Professionnels",
    "demandeurs_emploi": "Demandeurs d'emploi",
    "agents_publics": "Agents publics",
    "associations": "Associations",
}
CONTACT_MODES = {
    "relais": "Un formulaire de contact : mon adresse n'est jamais affichée",
    "email": "Afficher publiquement une adresse électronique",
    "telephone": "Afficher publiquement un numéro de téléphone",
}


class Listing(db.Model):
    __tablename__ = "annuaire_listings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    structure: Mapped[str] = mapped_column(String(200))
    commune: Mapped[str] = mapped_column(String(100))
    departement_code: Mapped[str] = mapped_column(String(3), index=True)
    region: Mapped[str] = mapped_column(String(60), index=True)  # follows the département
    formats: Mapped[list] = mapped_column(JSON)
    audiences: Mapped[list] = mapped_column(JSON)
    presentation: Mapped[str] = mapped_column(Text, default="")
    contact_mode: Mapped[str] = mapped_column(String(20), default="relais")
    public_email: Mapped[str | None] = mapped_column(String(254))
    public_phone: Mapped[str | None] = mapped_column(String(30))
    visible: Mapped[bool] = mapped_column(default=True)
    consented_at: Mapped[datetime] = timestamp(default=utcnow)
    updated_at: Mapped[datetime] = timestamp(default=utcnow, onupdate=utcnow)


class RelayedMessage(db.Model):
    """A contact form page whose message was relayed: that page sent again is not sent twice.

    Only the page's one-time token and the listing: nothing about the visitor or the message.
    Kept a day (services.RELAY_MEMORY), long enough for any double click or retried request.
    """

    __tablename__ = "annuaire_relayed_messages"
    __table_args__ = (UniqueConstraint("listing_id", "submission"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("annuaire_listings.id", ondelete="CASCADE"))
    submission: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = timestamp(default=utcnow, index=True)
