"""A référente for Bretagne (région 53: 22, 29, 35, 56), given by the demo admin, with a café
held in Brest and its report so that the territory's reach shows a figure, and one message sent."""

from datetime import date, time, timedelta

from sqlalchemy import select

from cafes.models import SUBMITTED, Cafe, CafeReport, ReportActionPath, ReportTheme
from lms.accounts.services import create_user
from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.models import utcnow

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
    """Yann's café held in Brest, with its report submitted: the territory's reach."""
    if yann is None or db.session.scalar(select(Cafe.id).where(Cafe.title == HELD_IN_BREST)):
        return
    cafe = Cafe(
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
        description="Parents et adolescents : ce que l'IA change à la maison et à l'école.",
    )
    db.session.add(cafe)
    db.session.flush()
    db.session.add(
        CafeReport(
            cafe_id=cafe.id,
            animateur_id=yann.id,
            held_on=cafe.day,
            departement_code="29",
            region="Bretagne",
            audience="parents",
            format="presentiel",
            participants=14,
            synthesis="Les parents veulent comprendre les usages scolaires ; un atelier suivra.",
            share_synthesis=True,
            status=SUBMITTED,
            submitted_at=utcnow(),
            themes=[ReportTheme(code="regles_usage"), ReportTheme(code="prise_en_main")],
            action_paths=[ReportActionPath(code="atelier_pratique")],
        )
    )
