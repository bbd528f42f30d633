"""Helpers shared by the annuaire tests: a valid listing, and ways to publish one."""

from sqlalchemy import func, select

from annuaire.models import Listing
from lms.extensions import db
from tests.helpers import certify

LISTING = {
    "display_name": "Camille M.",
    "structure": "Médiathèque de Lorient",
    "commune": "Lorient",
    "departement": "56",
    "formats": ["presentiel"],
    "audiences": ["seniors", "tout_public"],
    "presentation": "Cafés IA le mardi.",
    "contact_mode": "relais",
    "consent": "y",
}

# One payload per free-text field, so that a leak names the field it came from.
PAYLOADS = {
    field: f'"><script>alert("{field}")</script><img src=x onerror=alert(1)>'
    for field in ("display_name", "structure", "commune", "presentation")
}


def publish(client, **changes):
    return client.submit("/annuaire/ma-fiche", {**LISTING, **changes})


def listed(create_user, **fields) -> Listing:
    """A listing written straight to the database, for a newly certified person."""
    person = create_user()
    certify(person)
    listing = Listing(
        user_id=person.id,
        **{
            "display_name": "Animateur",
            "structure": "Structure",
            "commune": "Lyon",
            "departement_code": "69",
            "region": "Auvergne-Rhône-Alpes",
            "formats": ["presentiel"],
            "audiences": ["tout_public"],
            **fields,
        },
    )
    db.session.add(listing)
    db.session.commit()
    return listing


def count_listings() -> int:
    return db.session.scalar(select(func.count()).select_from(Listing))


def only_listing() -> Listing:
    return db.session.scalar(select(Listing))
