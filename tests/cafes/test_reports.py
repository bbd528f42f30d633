"""The café report (compte rendu): drafted, submitted, editable for a while, refused to anybody
else and to bad input; the reminder the day after; a café declared once held; its xAPI
statement; personal data and erasure."""

import html
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cafes import reports
from cafes.models import (
    FREE,
    SUBMITTED,
    Cafe,
    CafeReport,
    CoAnimateur,
    ReportActionPath,
    ReportCount,
    ReportTheme,
)
from certificates.demo import certify
from lms.accounts.services import delete_account
from lms.extensions import db
from lms.models import utcnow
from lms.xapi.models import StoredStatement
from tests.cafes.helpers import announced, in_days, text_of
from tests.helpers import ON_BOTH, at_once, count, on, rendezvous, tabs, write_listing
from tests.lrs.models import ralph_errors

REPORT = {
    "participants": "14",
    "age_60_74": "6",
    "age_75_plus": "3",
    "public_seniors": "9",
    "themes": ["regles_usage", "prise_en_main"],
    "free_themes": "IA et santé ; hypertrucages",
    "action_paths": ["atelier_pratique"],
    "free_action_paths": "visite d'un fablab",
    "synthesis": "Beaucoup de questions sur les arnaques.",
    "to_change": "Prévoir plus de temps pour tester.",
    "share_synthesis": "y",
}


def text(response) -> str:
    """The page as a reader sees it (Jinja writes ' as &#39;)."""
    return html.unescape(response.get_data(as_text=True))


def held(client, days_ago=1, **changes) -> Cafe:
    """A café announced, then moved to the past, as the calendar would."""
    cafe = announced(client, **changes)
    cafe.day = date.today() - timedelta(days=days_ago)
    db.session.commit()
    return cafe


def send(client, cafe, action="envoyer", **changes):
    return client.submit(
        f"/mes-cafes/{cafe.id}/compte-rendu", {**REPORT, "action": action, **changes}
    )


def the_report(cafe) -> CafeReport | None:
    db.session.expire_all()
    return db.session.scalar(select(CafeReport).where(CafeReport.cafe_id == cafe.id))


def everything_counted() -> tuple:
    return tuple(count(model) for model in (CafeReport, ReportTheme, ReportActionPath, ReportCount))


def test_a_draft_then_submitted_then_edited_until_the_window_closes(client, animateur):
    cafe = held(client)
    assert client.get(f"/mes-cafes/{cafe.id}/compte-rendu").status_code == 200
    assert send(client, cafe, action="brouillon").status_code == 302
    report = the_report(cafe)
    assert report.status == "brouillon" and report.submitted_at is None
    assert report.participants == 14 and report.departement_code == "31"
    assert report.held_on == cafe.day and report.audience == "seniors"
    assert send(client, cafe).status_code == 302
    report = the_report(cafe)
    assert report.status == SUBMITTED and report.submitted_at is not None
    assert sorted((t.code, t.label) for t in report.themes) == [
        (FREE, "IA et santé"),
        (FREE, "hypertrucages"),
        ("prise_en_main", ""),
        ("regles_usage", ""),
    ]
    assert [(a.code, a.label) for a in report.action_paths] == [
        ("atelier_pratique", ""),
        (FREE, "visite d'un fablab"),
    ]
    assert sorted((c.dimension, c.category, c.count) for c in report.counts) == [
        ("age", "60_74", 6),
        ("age", "75_plus", 3),
        ("public", "seniors", 9),
    ]
    assert report.share_synthesis is True
    page = text(client.get(f"/mes-cafes/{cafe.id}/compte-rendu"))
    assert "Compte rendu envoyé" in page and "IA et santé ; hypertrucages" in page
    # Within the window, it may change; the status stays « submitted ».
    assert send(client, cafe, participants="15", action="modifier").status_code == 302
    assert the_report(cafe).participants == 15 and the_report(cafe).status == SUBMITTED
    # Thirty days after submission, it is closed: the page says so, a POST changes nothing.
    report = the_report(cafe)
    report.submitted_at = utcnow() - timedelta(days=30, minutes=1)
    db.session.commit()
    page = client.get(f"/mes-cafes/{cafe.id}/compte-rendu")
    assert "n'est plus modifiable" in text(page)
    assert 'name="participants"' not in text(page)
    refused = send(client, cafe, participants="40", action="modifier")
    assert refused.status_code == 409
    assert the_report(cafe).participants == 15


def test_the_window_is_a_setting(app, client, animateur):
    cafe = held(client)
    send(client, cafe)
    report = the_report(cafe)
    app.config["CAFE_REPORT_EDIT_DAYS"] = 2
    try:
        report.submitted_at = utcnow() - timedelta(days=2, minutes=1)
        db.session.commit()
        assert send(client, cafe, participants="3").status_code == 409
    finally:
        app.config["CAFE_REPORT_EDIT_DAYS"] = 30


def test_no_report_before_the_cafe_is_over_nor_for_a_cancelled_one(client, animateur):
    coming = announced(client)
    page = text(client.get(f"/mes-cafes/{coming.id}/compte-rendu"))
    assert "s'ouvre à la fin du café" in page
    assert send(client, coming).status_code == 409
    cancelled = announced(client, title="Annulé")
    client.submit(f"/mes-cafes/{cancelled.id}/annuler")
    cancelled.day = date.today() - timedelta(days=1)
    db.session.commit()
    assert send(client, cancelled).status_code == 409
    assert count(CafeReport) == 0


def test_another_animateur_can_neither_read_nor_write_it(client, animateur, auth, create_user):
    cafe = held(client)
    send(client, cafe, synthesis="Notre synthèse")
    before = everything_counted()
    auth.logout()
    other = create_user(email="autre@exemple.fr")
    certify(other)
    auth.login("autre@exemple.fr")
    assert client.get(f"/mes-cafes/{cafe.id}/compte-rendu").status_code == 404
    assert send(client, cafe, participants="2", synthesis="Piraté").status_code == 404
    assert client.get(f"/mes-cafes/{cafe.id}/avis").status_code == 404
    assert everything_counted() == before
    assert the_report(cafe).participants == 14 and the_report(cafe).synthesis == "Notre synthèse"


def test_a_co_animateur_may_write_it(client, animateur, auth, create_user):
    cafe = held(client)
    partner = create_user(email="co@exemple.fr")
    certify(partner)
    listing = write_listing(partner, display_name="Yann L.")
    db.session.add(CoAnimateur(cafe_id=cafe.id, listing_id=listing.id))
    db.session.commit()
    auth.logout()
    auth.login("co@exemple.fr")
    assert "Compte rendu" in text(client.get("/mes-cafes"))
    assert send(client, cafe).status_code == 302
    report = the_report(cafe)
    assert report.status == SUBMITTED and report.animateur_id == animateur.id  # the café's


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"participants": "-3"}, "Entre 1 et 500 participants."),
        ({"participants": "0"}, "Entre 1 et 500 participants."),
        ({"participants": "9" * 30}, "Entre 1 et 500 participants."),
        ({"participants": ""}, "Indiquez combien de personnes sont venues."),
        ({"participants": "douze"}, ""),
        ({"age_18_29": "-1"}, "Entre 0 et 500 personnes."),
        ({"age_60_74": "10", "age_75_plus": "5"}, "plus que les 14 participants"),
        ({"public_seniors": "15"}, "La répartition par public compte 15 personnes"),
        # Figures the French way (Babel): a narrow non-breaking space between thousands.
        (
            {"age_18_29": "500", "age_60_74": "500", "age_75_plus": "500"},
            "La répartition par âge compte 1\u202f500 personnes",
        ),
        ({"free_themes": "a ; b ; c ; d"}, "3 au plus"),
        ({"free_themes": "x" * 101}, "100 caractères au plus"),
        ({"synthesis": "x" * 3001}, ""),
    ],
)
def test_bad_input_is_refused_in_french_and_changes_nothing(client, animateur, changes, message):
    cafe = held(client)
    response = send(client, cafe, **changes)
    assert response.status_code == 422
    page = text(response)
    assert "Le compte rendu n'est pas enregistré" in page and message in page
    assert everything_counted() == (0, 0, 0, 0)


def test_a_forged_choice_or_a_missing_token_is_refused(client, animateur):
    cafe = held(client)
    assert send(client, cafe, themes=["inconnu"]).status_code == 400
    no_token = client.post(
        f"/mes-cafes/{cafe.id}/compte-rendu", data={**REPORT, "action": "envoyer"}
    )
    assert no_token.status_code == 400
    assert everything_counted() == (0, 0, 0, 0)


def test_mes_cafes_lists_the_report(client, animateur):
    cafe = held(client, title="Café passé")
    announced(client, title="Café à venir")
    page = text(client.get("/mes-cafes"))
    assert "À rédiger" in page and "Après le café" in page
    send(client, cafe)
    page = text(client.get("/mes-cafes"))
    assert "Envoyé" in page and "À rédiger" not in page


# --- the reminder -------------------------------------------------------------------------------


def test_the_animateur_is_reminded_once_the_day_after(client, animateur, runner, mailbox):
    yesterday = held(client, title="Hier")
    held(client, title="Il y a longtemps", days_ago=30)
    reported = held(client, title="Déjà rendu")
    send(client, reported)
    announced(client, title="Demain")
    mailbox.clear()
    output = runner.invoke(args=["cafes", "comptes-rendus"]).output
    assert "1 demande(s) de compte rendu envoyée(s)" in output
    assert "0 demande(s)" in runner.invoke(args=["cafes", "quotidien"]).output  # once
    (mail,) = mailbox
    assert mail["To"] == animateur.email and "« Hier »" in mail["Subject"]
    assert f"/mes-cafes/{yesterday.id}/compte-rendu" in text_of(mail)


# --- a café held without having been announced -------------------------------------------------

DECLARED = {
    "title": "Café IA au marché",
    "day": in_days(-3),
    "starts": "10:00",
    "ends": "11:30",
    "format": "presentiel",
    "structure": "Association Les Voisins",
    "address": "",
    "commune": "Toulouse",
    "departement": "31",
    "audience": "tout_public",
    "animation": "recette",
    "animation_other": "",
}


def test_a_cafe_held_without_announcement_is_declared_then_reported(client, animateur):
    assert client.get("/mes-cafes/declarer").status_code == 200
    response = client.submit("/mes-cafes/declarer", DECLARED)
    assert response.status_code == 302
    cafe = db.session.scalar(select(Cafe).where(Cafe.title == "Café IA au marché"))
    assert response.location.endswith(f"/mes-cafes/{cafe.id}/compte-rendu")
    assert cafe.declared_at is not None and cafe.region == "Occitanie"
    # Never in the agenda, nor its open data.
    assert "Café IA au marché" not in text(client.get("/cafes"))
    assert all(c["titre"] != "Café IA au marché" for c in client.get("/cafes.json").json["cafes"])
    public = text(client.get(f"/cafes/{cafe.id}"))
    assert "déclaré après avoir eu lieu" in public and "Places" not in public
    assert send(client, cafe, public_seniors="0").status_code == 302
    assert the_report(cafe).status == SUBMITTED and the_report(cafe).audience == "tout_public"
    assert "Déclaré après coup" in text(client.get("/mes-cafes"))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"day": in_days(2)}, "seulement un café déjà tenu"),
        ({"title": ""}, "Donnez un titre au café."),
        ({"ends": "09:00"}, "L'heure de fin doit suivre l'heure de début."),
    ],
)
def test_a_declaration_is_checked(client, animateur, changes, message):
    response = client.submit("/mes-cafes/declarer", {**DECLARED, **changes})
    assert response.status_code == 422 and message in text(response)
    assert count(Cafe) == 0


def test_a_forged_declaration_is_refused(client, animateur):
    assert client.submit("/mes-cafes/declarer", {**DECLARED, "audience": "rois"}).status_code == 400
    assert count(Cafe) == 0


def test_only_a_certified_animateur_declares(client, login_as):
    login_as()
    assert client.get("/mes-cafes/declarer").status_code == 403
    assert client.submit("/mes-cafes/declarer", DECLARED).status_code == 403
    assert count(Cafe) == 0


# --- xAPI ----------------------------------------------------------------------------------------


def submit_statements() -> list[dict]:
    rows = db.session.scalars(
        select(StoredStatement).order_by(StoredStatement.stored, StoredStatement.id)
    )
    return [json.loads(r.payload) for r in rows if "submit" in r.verb or r.verb.endswith("/voided")]


def test_a_submitted_report_is_a_statement_that_ralph_accepts(client, animateur):
    cafe = held(client)
    send(client, cafe, action="brouillon")
    assert submit_statements() == []  # a draft says nothing
    send(client, cafe)
    (statement,) = submit_statements()
    assert statement["verb"]["id"] == "http://activitystrea.ms/schema/1.0/submit"
    assert statement["object"]["id"] == f"http://cafeia.test/cafes/{cafe.id}"
    assert statement["actor"]["account"]["name"] == animateur.pseudonym
    extension = "http://cafeia.test/xapi/extensions/participants"
    assert statement["result"]["extensions"] == {extension: 14}
    send(client, cafe, synthesis="Autre texte", action="modifier")
    assert len(submit_statements()) == 1  # the figure did not change
    send(client, cafe, participants="16", action="modifier")
    first, voiding, second = submit_statements()
    assert voiding["object"] == {"objectType": "StatementRef", "id": first["id"]}
    assert second["result"]["extensions"] == {extension: 16}
    assert ralph_errors([first, voiding, second]) == [None, None, None]
    from tincan import Statement

    parsed = Statement.from_json(json.dumps(second))
    assert parsed.result.extensions[extension] == 16


# --- personal data and erasure -----------------------------------------------------------------


def test_the_report_is_in_the_animateur_s_data(client, animateur):
    cafe = held(client)
    send(client, cafe)
    (exported,) = client.get("/mon-compte/donnees.json").json["cafes_ia_comptes_rendus"]
    assert exported["participants"] == 14 and exported["synthese"] == REPORT["synthesis"]
    assert exported["themes"] == [
        "Les règles d'usage",
        "La prise en main des outils",
        "IA et santé",
        "hypertrucages",
    ]
    assert exported["repartition"] == {"age:60_74": 6, "age:75_plus": 3, "public:seniors": 9}


def test_an_erased_animateur_s_figures_stay_their_words_go(client, animateur):
    cafe = held(client)
    send(client, cafe)
    report_id = the_report(cafe).id
    delete_account(db.session.merge(animateur))
    db.session.expire_all()
    assert count(Cafe) == 0
    report = db.session.get(CafeReport, report_id)
    assert report.cafe_id is None and report.animateur_id is None
    assert report.participants == 14 and report.departement_code == "31"
    assert report.synthesis == "" and report.to_change == "" and report.share_synthesis is False
    assert sorted(t.code for t in report.themes) == ["prise_en_main", "regles_usage"]
    assert [a.code for a in report.action_paths] == ["atelier_pratique"]
    assert db.session.scalar(select(func.sum(ReportCount.count))) == 18


def test_the_demo_has_reports_and_feedback_on_both_sides_of_the_small_cell_rule(app, client):
    from cafes.models import FeedbackAnswer
    from lms.demo import load_demo

    load_demo()
    load_demo()  # idempotent
    past = db.session.scalars(select(Cafe).where(Cafe.day < date.today())).all()
    assert past and all(the_report(c).status == SUBMITTED for c in past)
    answers = dict(
        db.session.execute(
            select(FeedbackAnswer.cafe_id, func.count()).group_by(FeedbackAnswer.cafe_id)
        ).all()
    )
    assert sorted(answers.values()) == [3, 7]
    assert any(c.declared_at and c.departement_code == "59" for c in past)


# --- sent twice, or from tabs at once -----------------------------------------------------------


def page_token(client, url: str) -> str:
    return re.search(r'name="envoi" type="hidden" value="([^"]+)"', text(client.get(url)))[1]


def test_a_declaration_sent_twice_declares_once(client, animateur):
    token = page_token(client, "/mes-cafes/declarer")
    first = client.submit("/mes-cafes/declarer", {**DECLARED, "envoi": token})
    second = client.submit("/mes-cafes/declarer", {**DECLARED, "envoi": token})
    assert first.location == second.location and count(Cafe) == 1


@ON_BOTH
def test_a_report_sent_from_tabs_at_once_is_one_report_and_one_statement(
    app, client, animateur, monkeypatch, database
):
    on(database)
    cafe = held(client)
    rendezvous(monkeypatch, reports, "report_of")  # all find no report, then write
    url, data = f"/mes-cafes/{cafe.id}/compte-rendu", {**REPORT, "action": "envoyer"}
    responses = at_once(tabs(app, client), lambda tab: tab.submit(url, data))
    assert {r.status_code for r in responses} == {302}
    assert count(CafeReport) == 1 and count(ReportTheme) == 4
    assert len(submit_statements()) == 1
