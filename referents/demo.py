"""A référente for Bretagne (région 53: 22, 29, 35, 56), given by the demo admin, with a café
held in Brest so that the territory's reach shows a figure, and one message sent."""

from datetime import date, time, timedelta

from sqlalchemy import select

from cafes.models import Cafe
from lms.accounts.services import create_user
from lms.demo import DEMO_PASSWORD
from lms.extensions import db

from .models import Assignment, SentMessage
from .territories import REGION

REFERENTE = dict(
    email="referente@exemple.fr",
    role="apprenant",
    first_name="Gwenola",
    last_name="Le Bihan",
    profile="autre",
    structure="Réseau France services Bretagne",
    commune="Vannes",
    departement_code="56",
)
HELD_IN_BREST = "Café IA des parents"


def referent(find_user) -> None:
    person = find_user(REFERENTE["email"]) or create_user(password=DEMO_PASSWORD, **REFERENTE)
    admin = find_user("admin@exemple.fr")
    if not db.session.scalar(select(Assignment.id).where(Assignment.user_id == person.id)):
        db.session.add(
            Assignment(
                user_id=person.id,
                kind=REGION,
                code="53",
                reason="Coordination régionale des Cafés IA en Bretagne.",
                granted_by_id=admin.id if admin else None,
            )
        )
        db.session.add(
            SentMessage(
                referent_id=person.id,
                subject="Rencontre des animateurs bretons en janvier",
                recipients=1,
            )
        )
    _held_in_brest(find_user("yann.le-gall@exemple.fr"))
    db.session.commit()


def _held_in_brest(yann) -> None:
    if yann is None or db.session.scalar(select(Cafe.id).where(Cafe.title == HELD_IN_BREST)):
        return
    db.session.add(
        Cafe(
            animateur_id=yann.id,
            title=HELD_IN_BREST,
            day=date.today() - timedelta(days=20),
            starts=time(18, 0),
            ends=time(20, 0),
            format="presentiel",
            structure="Médiathèque des Capucins",
            commune="Brest",
            departement_code="29",
            region="Bretagne",
            audience="parents",
            animation="recette",
            capacity=20,
            seats_taken=14,
            description="Parents et adolescents : ce que l'IA change à la maison et à l'école.",
        )
    )
