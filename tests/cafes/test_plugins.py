"""The cafés plugged into the platform: statements, demo, personal data, erasure, the CLI."""

import json
from datetime import date, timedelta

from sqlalchemy import func, select

from cafes import services
from cafes.models import WAITING, Cafe, Registration
from lms.accounts.services import delete_account, find_by_email
from lms.demo import load_demo
from lms.extensions import db
from lms.xapi.models import StoredStatement
from tests.cafes.helpers import announced, join, text_of


def statements_of(user) -> list[dict]:
    rows = db.session.scalars(
        select(StoredStatement)
        .where(StoredStatement.user_id == user.id, StoredStatement.verb.like("%activitystrea%"))
        .order_by(StoredStatement.stored)
    )
    return [json.loads(row.payload) for row in rows]


def test_announcing_cancelling_and_holding_are_the_animateur_s_statements(
    client, animateur, runner
):
    cancelled = announced(client, title="Annulé")
    held = announced(client, title="Tenu")
    client.submit(f"/mes-cafes/{cancelled.id}/annuler")
    held.day = date.today() - timedelta(days=1)
    db.session.commit()
    assert "1 café(s) tenu(s)" in runner.invoke(args=["cafes", "tenus"]).output
    assert "0 café(s) tenu(s)" in runner.invoke(args=["cafes", "tenus"]).output  # once
    verbs = [
        (s["verb"]["id"].rsplit("/", 1)[1], s["object"]["id"]) for s in statements_of(animateur)
    ]
    base = "http://cafeia.test/cafes/"
    assert verbs == [
        ("schedule", f"{base}{cancelled.id}"),
        ("schedule", f"{base}{held.id}"),
        ("cancel", f"{base}{cancelled.id}"),
        ("host", f"{base}{held.id}"),
    ]
    statement = statements_of(animateur)[0]
    assert statement["actor"]["account"]["name"] == animateur.pseudonym
    assert (
        statement["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/meeting"
    )


def test_the_demo_has_cafes_across_france_and_a_full_one(app):
    load_demo()
    load_demo()  # idempotent
    cafes = db.session.scalars(select(Cafe)).all()
    # The agenda's seven, the référente's café held in Brest, one declared once held.
    assert len(cafes) == 9
    assert sum(c.declared_at is not None for c in cafes) == 1
    assert {c.departement_code for c in cafes} >= {"31", "29", "59", "974"}
    assert any(c.day < date.today() for c in cafes) and any(c.day > date.today() for c in cafes)
    full = [c for c in cafes if c.seats_taken == c.capacity and c.day > date.today()]
    assert full and db.session.scalar(
        select(func.count()).where(
            Registration.cafe_id == full[0].id, Registration.status == WAITING
        )
    )
    lea = find_by_email("animatrice@exemple.fr")
    assert full[0].animateur_id == lea.id


def test_personal_data_lists_the_animateur_s_cafes(client, animateur):
    announced(client, title="Mon café")
    data = client.get("/mon-compte/donnees.json").json
    assert [c["titre"] for c in data["cafes_ia"]] == ["Mon café"]


def test_an_erased_animateur_s_participants_are_told(client, animateur, mailbox):
    cafe = announced(client)
    join(client, cafe.id, email="a@exemple.fr")
    mailbox.clear()
    delete_account(db.session.merge(animateur))
    (mail,) = mailbox
    assert mail["To"] == "a@exemple.fr" and "annulé" in text_of(mail)
    assert db.session.scalar(select(func.count()).select_from(Cafe)) == 0
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_the_daily_command_reminds_records_and_erases(client, animateur, runner):
    cafe = announced(client)
    join(client, cafe.id, email="a@exemple.fr")
    output = runner.invoke(args=["cafes", "quotidien"]).output
    assert "rappel(s) envoyé(s)" in output and "inscription(s) effacée(s)" in output
    assert services.erase_weeks() == 4
