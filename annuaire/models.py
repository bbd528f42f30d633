"""A listing: what a certified animateur agreed to publish, and when they agreed."""

import unicodedata
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
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

# Letters NFKD does not split into a base letter and an accent.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "’": "'"})


def fold(text: str) -> str:
    """Text without case or accents (« Médiathèque » → « mediatheque »), the same on every
    database: SQLite's lower() knows only ASCII, and PostgreSQL's unaccent is an extension."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


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
    # The searched fields folded by fold(), written with them (below): the search compares
    # folded text with folded text.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    consented_at: Mapped[datetime] = timestamp(default=utcnow)
    updated_at: Mapped[datetime] = timestamp(default=utcnow, onupdate=utcnow)


SEARCHED = ("display_name", "structure", "commune", "presentation")


@event.listens_for(Listing, "before_insert")
@event.listens_for(Listing, "before_update")
def _fold_search_text(mapper, connection, listing: Listing) -> None:
    listing.search_text = fold(" ".join(getattr(listing, name) or "" for name in SEARCHED))


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
