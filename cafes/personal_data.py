"""« Télécharger mes données »: the cafés a person registered for (by their e-mail address),
co-animates, and hid as a moderator (their own cafés: services.personal_cafes)."""

from sqlalchemy import func, select

from annuaire.models import Listing
from lms.extensions import db

from .models import Cafe, CoAnimateur, Registration

TABLES = ("cafes", "cafe_registrations", "cafe_co_animateurs")


def _cafe(cafe: Cafe) -> dict:
    return {"titre": cafe.title, "date": cafe.day.isoformat(), "commune": cafe.commune}


def personal_registrations(user) -> dict:
    registrations = db.session.execute(
        select(Registration, Cafe)
        .join(Cafe, Cafe.id == Registration.cafe_id)
        .where(func.lower(Registration.email) == user.email.lower())
        .order_by(Registration.id)
    ).all()
    co_animated = db.session.scalars(
        select(Cafe)
        .join(CoAnimateur, CoAnimateur.cafe_id == Cafe.id)
        .join(Listing, Listing.id == CoAnimateur.listing_id)
        .where(Listing.user_id == user.id)
        .order_by(Cafe.day)
    )
    hidden = db.session.scalars(select(Cafe).where(Cafe.hidden_by_id == user.id).order_by(Cafe.id))
    return {
        "inscriptions": [
            _cafe(cafe)
            | {
                "nom": r.name,
                "email": r.email,
                "telephone": r.phone,
                "etat": r.status,
                "consentement_le": r.consented_at.isoformat(),
            }
            for r, cafe in registrations
        ],
        "co_animation": [_cafe(cafe) for cafe in co_animated],
        "masques_en_moderation": [_cafe(cafe) | {"motif": cafe.hidden_reason} for cafe in hidden],
    }
