"""Demo listings: the certified animatrice and three others, in mainland France and overseas."""

from sqlalchemy import select

from certificates.demo import ANIMATRICE, certify
from lms.accounts.services import create_user
from lms.demo import DEMO_PASSWORD
from lms.departements import departement
from lms.extensions import db

from .models import Listing

OTHERS = [
    dict(
        email="yann.le-gall@exemple.fr",
        first_name="Yann",
        last_name="Le Gall",
        profile="conseiller",
        structure="Médiathèque des Capucins",
        commune="Brest",
        departement_code="29",
    ),
    dict(
        email="nadia.benaissa@exemple.fr",
        first_name="Nadia",
        last_name="Benaïssa",
        profile="mediateur",
        structure="Espace France services de Roubaix",
        commune="Roubaix",
        departement_code="59",
    ),
    dict(
        email="marie.payet@exemple.fr",
        first_name="Marie",
        last_name="Payet",
        profile="conseiller",
        structure="Mairie de Saint-Paul",
        commune="Saint-Paul",
        departement_code="974",
    ),
]
DETAILS = {
    ANIMATRICE["email"]: (
        ["presentiel", "en_ligne"],
        ["tout_public", "seniors"],
        "J'anime des Cafés IA au centre social, le jeudi soir, autour d'un goûter.",
    ),
    "yann.le-gall@exemple.fr": (["presentiel"], ["jeunes", "parents"], "Ateliers en médiathèque."),
    "nadia.benaissa@exemple.fr": (
        ["presentiel"],
        ["demandeurs_emploi", "tout_public"],
        "IA et recherche d'emploi : venez en parler.",
    ),
    "marie.payet@exemple.fr": (
        ["en_ligne", "presentiel"],
        ["agents_publics"],
        "Cafés IA pour les agents de la commune.",
    ),
}


def listings(find_user) -> None:
    for person in OTHERS:
        certify(
            find_user(person["email"])
            or create_user(password=DEMO_PASSWORD, role="apprenant", **person)
        )
    for email, (formats, audiences, presentation) in DETAILS.items():
        user = find_user(email)
        if db.session.scalar(select(Listing).where(Listing.user_id == user.id)):
            continue
        db.session.add(
            Listing(
                user_id=user.id,
                display_name=f"{user.first_name} {user.last_name[0]}.",
                structure=user.structure,
                commune=user.commune,
                departement_code=user.departement_code,
                region=departement(user.departement_code).region,
                formats=formats,
                audiences=audiences,
                presentation=presentation,
                contact_mode="relais",
            )
        )
    db.session.commit()
