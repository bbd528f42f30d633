"""A référente for Bretagne (région 53), cafés in Bretagne and in Occitanie, listings."""

from datetime import date, time, timedelta

import pytest

from cafes.models import SUBMITTED, Cafe, CafeReport
from lms.departements import departement
from lms.extensions import db
from referents.models import Assignment
from tests.helpers import certify, write_listing

BRETAGNE, OCCITANIE = ("22", "29", "35", "56"), ("31", "34")


def make_cafe(animateur, code: str, days: int = 10, **fields) -> Cafe:
    cafe = Cafe(
        animateur_id=animateur.id,
        title=fields.pop("title", f"Café à {code}"),
        day=date.today() + timedelta(days=days),
        starts=time(18),
        ends=time(20),
        format="presentiel",
        structure="Médiathèque",
        commune="Commune",
        departement_code=code,
        region=departement(code).region,
        audience="tout_public",
        animation="recette",
        capacity=20,
        **fields,
    )
    db.session.add(cafe)
    db.session.commit()
    return cafe


def make_report(cafe: Cafe, participants: int, status=SUBMITTED, **fields) -> CafeReport:
    report = CafeReport(
        cafe_id=cafe.id,
        animateur_id=cafe.animateur_id,
        held_on=cafe.day,
        departement_code=cafe.departement_code,
        region=cafe.region,
        audience=cafe.audience,
        format=cafe.format,
        participants=participants,
        status=status,
        **fields,
    )
    db.session.add(report)
    db.session.commit()
    return report


def grant(person, kind="region", code="53") -> Assignment:
    assignment = Assignment(user_id=person.id, kind=kind, code=code, reason="Test.")
    db.session.add(assignment)
    db.session.commit()
    return assignment


@pytest.fixture
def animateurs(create_user):
    """A certified animateur with a public listing in Brest (29) and one in Toulouse (31)."""
    found = {}
    for code, commune in (("29", "Brest"), ("31", "Toulouse")):
        person = create_user(commune=commune, departement_code=code, first_name=f"Anim{code}")
        certify(person)
        write_listing(
            person,
            display_name=f"Anim {commune}",
            commune=commune,
            departement_code=code,
            region=departement(code).region,
        )
        found[code] = person
    return found


@pytest.fixture
def cafes_both(animateurs):
    """Coming and past cafés in Bretagne (29) and Occitanie (31)."""
    return {
        "breton": make_cafe(animateurs["29"], "29", 10, title="Café de Brest"),
        "breton_passe": make_cafe(animateurs["29"], "29", -10, title="Café passé de Brest"),
        "occitan": make_cafe(animateurs["31"], "31", 10, title="Café de Toulouse"),
        "occitan_passe": make_cafe(animateurs["31"], "31", -10, title="Café passé de Toulouse"),
    }


@pytest.fixture
def referente(login_as):
    """An apprenante, logged in, who follows Bretagne."""
    person = login_as(first_name="Gwenola", last_name="Le Bihan", departement_code="56")
    grant(person)
    return person
