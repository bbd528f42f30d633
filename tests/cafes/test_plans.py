"""« Préparer mon premier café »: a learner's draft plan, saved and read back over HTTP, kept
from others, printed (page and PDF read by poppler), exported and erased with the account, and
turned into a café of the agenda once, and only once, the learner is certified."""

import logging
import re
import subprocess
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from cafes.models import Cafe
from cafes.plans import QUESTIONS, STANDARD_SEQUENCE, CafePlan
from certificates.demo import certify
from lms.accounts.services import delete_account
from lms.extensions import db
from tests.helpers import count
from tests.vnu import html_errors, require_checker


@pytest.fixture
def app_config():
    # The real modules: module 4's page links to the planner.
    return {"COURSES_CONTENT": None, "QUIZ_BANKS": None}


DAY = (date.today() + timedelta(days=20)).isoformat()


def plan_form(**changes) -> dict:
    data = {
        "title": "Premier café de la médiathèque",
        "audience": "seniors",
        "audience_note": "Les habitués de l'atelier du mardi",
        "structure": "Médiathèque Jean-Macé",
        "commune": "Rennes",
        "departement": "35",
        "day": DAY,
        "starts": "14:30",
        "format": "presentiel",
        "animation": "mallette",
        "capacity": "12",
        "material": ["postits", "cartes_debat"],
        "suggested": ["confiance"],
        "own_questions": "Qui décide de ce qu'une IA a le droit de faire ?",
    }
    for n, step in enumerate(STANDARD_SEQUENCE):
        data[f"steps-{n}-intitule"] = step.label
        data[f"steps-{n}-minutes"] = str(step.minutes)
    return {**data, **changes}


def saved(client, **changes) -> CafePlan:
    response = client.submit("/preparer-mon-cafe", plan_form(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalar(select(CafePlan).order_by(CafePlan.id.desc()))


def test_a_first_visit_offers_the_standard_sequence_of_an_hour_and_a_half(client, login_as):
    login_as()
    page = client.get("/preparer-mon-cafe").get_data(as_text=True)
    for step in STANDARD_SEQUENCE:
        assert f'value="{step.minutes}"' in page
    assert sum(step.minutes for step in STANDARD_SEQUENCE) == 90
    assert QUESTIONS["quotidien"].replace("'", "&#39;") in page


def test_a_plan_is_saved_and_read_back(client, login_as):
    user = login_as()
    plan = saved(client, **{"steps-1-minutes": "20", "steps-5-intitule": "Pause café",
                            "steps-5-minutes": "5"})  # fmt: skip
    assert plan.user_id == user.id and plan.commune == "Rennes"
    assert plan.steps[1]["minutes"] == 20 and plan.steps[-1] == {
        "label": "Pause café",
        "minutes": 5,
    }
    assert plan.total_minutes == 100 and plan.ends.strftime("%H:%M") == "16:10"
    assert plan.material == ["postits", "cartes_debat"]
    assert plan.questions == [
        QUESTIONS["confiance"],
        "Qui décide de ce qu'une IA a le droit de faire ?",
    ]
    # Coming back: the entry page leads to the plan, which shows what was saved.
    response = client.get("/preparer-mon-cafe")
    assert response.status_code == 302 and response.location.endswith(
        f"/preparer-mon-cafe/{plan.id}"
    )
    page = client.get(response.location).get_data(as_text=True)
    assert 'value="Pause café"' in page and 'value="Médiathèque Jean-Macé"' in page
    # Saving again changes the one plan, never a second one.
    client.submit(f"/preparer-mon-cafe/{plan.id}", plan_form(title="Café IA du mardi"))
    client.submit("/preparer-mon-cafe", plan_form(title="Encore un"))
    assert count(CafePlan) == 1
    db.session.refresh(plan)
    assert plan.title == "Encore un"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "Donnez un nom à votre café."),
        ({"capacity": "0"}, "Entre 1 et 40 places."),
        ({"steps-0-minutes": ""}, "Indiquez la durée de ce temps, en minutes."),
        ({"steps-0-minutes": "500"}, "Une durée entre 1 et 180 minutes."),
        ({"steps-6-minutes": "10"}, "Donnez un intitulé à ce temps, ou videz aussi sa durée."),
        ({f"steps-{n}-intitule": "" for n in range(5)} | {f"steps-{n}-minutes": "" for n in range(5)},
         "Gardez au moins un temps dans le déroulé."),
        ({"own_questions": "\n".join(f"Question {n} ?" for n in range(6))}, "5 questions à vous au plus."),
        ({"title": "Deux\nlignes"}, "Ce champ tient sur une seule ligne"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_french_and_saves_nothing(client, login_as, changes, message):
    login_as()
    response = client.submit("/preparer-mon-cafe", plan_form(**changes))
    assert response.status_code == 422
    assert message.replace("'", "&#39;") in response.get_data(as_text=True)
    assert count(CafePlan) == 0


@pytest.mark.parametrize("field, value", [("format", "fusee"), ("material", "champagne"),
                                          ("suggested", "inventee"), ("departement", "999")])  # fmt: skip
def test_a_choice_no_page_offers_is_a_bad_request(client, login_as, field, value):
    login_as()
    assert client.submit("/preparer-mon-cafe", plan_form(**{field: value})).status_code == 400
    assert count(CafePlan) == 0


def test_without_the_form_token_nothing_is_saved(client, login_as):
    login_as()
    assert client.post("/preparer-mon-cafe", data=plan_form()).status_code == 400
    assert count(CafePlan) == 0


def test_nobody_reads_or_changes_another_persons_plan(client, login_as, auth):
    login_as()
    plan = saved(client)
    auth.logout()
    login_as()
    for url in ("", "/imprimer", "/plan.pdf", "/annoncer"):
        assert client.get(f"/preparer-mon-cafe/{plan.id}{url}").status_code == 404
    assert (
        client.submit(f"/preparer-mon-cafe/{plan.id}", plan_form(title="Volé")).status_code == 404
    )
    db.session.refresh(plan)
    assert plan.title == "Premier café de la médiathèque"


def test_the_print_page_shows_the_timed_sequence(client, login_as):
    login_as()
    plan = saved(client)
    page = client.get(f"/preparer-mon-cafe/{plan.id}/imprimer").get_data(as_text=True)
    assert "90 minutes en tout" in page
    assert "15 h 45" in page  # the last step: 14 h 30 + 75 minutes
    assert "Ille-et-Vilaine" in page
    assert 'href="/cafes/static/print.css" media="print"' in page


# --- the PDF, read by poppler ------------------------------------------------------------------


def poppler(tool: str, path) -> str:
    return subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def plan_pdf(client, login_as, tmp_path):
    login_as()
    plan = saved(client, title="Café « IA et nous »")
    response = client.get(f"/preparer-mon-cafe/{plan.id}/plan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "plan.pdf"
    path.write_bytes(response.data)
    return path


def test_pdffonts_finds_marianne_embedded(plan_pdf):
    header, rule, *rows = poppler("pdffonts", plan_pdf).splitlines()
    assert header.split()[:5] == ["name", "type", "encoding", "emb", "sub"] and rows
    for row in rows:
        assert row.split()[-5] == "yes", f"not embedded: {row}"
    assert any(row.split()[0].endswith("+Marianne-Bold") for row in rows)


def test_pdfinfo_says_tagged_and_titled(plan_pdf):
    info = dict(
        line.split(":", 1) for line in poppler("pdfinfo", plan_pdf).splitlines() if ":" in line
    )
    assert info["Tagged"].strip() == "yes"
    assert info["Title"].strip() == "Plan de Café IA — Café « IA et nous »"


def test_pdftotext_reads_the_plan(plan_pdf):
    output = subprocess.run(["pdftotext", str(plan_pdf), "-"], capture_output=True, text=True)
    text = " ".join(output.stdout.split())
    assert "Médiathèque Jean-Macé, Rennes (Ille-et-Vilaine)" in text
    assert "Débat en sous-groupes" in text and "40 min" in text
    assert QUESTIONS["confiance"] in text
    assert "Les cartes débat et leurs fiches débrief" in text


# --- « Annoncer ce café » ----------------------------------------------------------------------


def test_not_certified_the_button_explains_why_and_the_route_refuses(client, login_as):
    login_as()
    plan = saved(client)
    page = client.get(f"/preparer-mon-cafe/{plan.id}").get_data(as_text=True)
    assert 'id="annoncer-ce-cafe"' not in page
    assert "Seuls les animateurs et animatrices certifiés annoncent un café" in page
    assert client.get(f"/preparer-mon-cafe/{plan.id}/annoncer").status_code == 403
    assert count(Cafe) == 0


def test_certified_the_plan_prefills_the_announcement_which_creates_the_cafe(client, login_as):
    user = login_as()
    plan = saved(client)
    certify(user)
    page = client.get(f"/preparer-mon-cafe/{plan.id}").get_data(as_text=True)
    assert 'id="annoncer-ce-cafe"' in page
    form = client.get(f"/preparer-mon-cafe/{plan.id}/annoncer").get_data(as_text=True)
    assert 'action="/mes-cafes/nouveau"' in form
    values = announcement_values(form)
    assert values["title"] == "Premier café de la médiathèque" and values["day"] == DAY
    assert (values["starts"], values["ends"]) == ("14:30", "16:00")
    response = client.submit("/mes-cafes/nouveau", values)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    cafe = db.session.scalar(select(Cafe))
    assert (cafe.animateur_id, cafe.title, cafe.commune, cafe.departement_code) == (
        user.id, plan.title, "Rennes", "35")  # fmt: skip
    assert (cafe.audience, cafe.animation, cafe.capacity) == ("seniors", "mallette", 12)
    assert cafe.day.isoformat() == DAY and cafe.structure == "Médiathèque Jean-Macé"
    assert (
        "Débat en sous-groupes" in cafe.description and QUESTIONS["confiance"] in cafe.description
    )


def announcement_values(page: str) -> dict:
    """What a browser sends from the announcement form as the plan filled it."""
    values = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        if name != "csrf_token":
            values[name] = unescape(value)
    for name, value in re.findall(r'<input checked[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        values[name] = unescape(value)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body)
        values[name] = chosen[1] if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        values[name] = unescape(body).strip()
    return values


# --- personal data -----------------------------------------------------------------------------


def test_the_plan_is_in_my_data_and_goes_with_the_account(client, login_as):
    user = login_as()
    saved(client)
    data = client.get("/mon-compte/donnees.json").json
    assert data["plan_de_cafe"]["titre"] == "Premier café de la médiathèque"
    assert data["plan_de_cafe"]["deroule"][2]["minutes"] == 40
    delete_account(db.session.get(type(user), user.id))
    assert count(CafePlan) == 0


def test_the_module_and_the_dashboard_lead_to_the_planner(client, login_as):
    login_as()
    assert "/preparer-mon-cafe" in client.get("/tableau-de-bord").get_data(as_text=True)
    assert "/preparer-mon-cafe" in client.get("/modules/animer-cafe-ia").get_data(as_text=True)
    # Another module's page does not offer it.
    other = client.get("/modules/histoire-ia").get_data(as_text=True)
    assert "/preparer-mon-cafe" not in other


def test_the_refused_plan_and_its_print_page_pass_the_nu_html_checker(client, login_as):
    require_checker()
    login_as()
    refused = client.submit("/preparer-mon-cafe", plan_form(title="", **{"steps-0-minutes": ""}))
    assert refused.status_code == 422
    plan = saved(client)
    pages = {
        "refused": refused.get_data(as_text=True),
        "plan": client.get(f"/preparer-mon-cafe/{plan.id}").get_data(as_text=True),
        "print": client.get(f"/preparer-mon-cafe/{plan.id}/imprimer").get_data(as_text=True),
    }
    assert not html_errors(pages), html_errors(pages)


def test_weasyprint_reports_no_problem_with_the_plan(client, login_as, caplog):
    # What would break PDF/UA (a missing language, a font not loaded) is logged as a warning.
    login_as()
    plan = saved(client)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        assert client.get(f"/preparer-mon-cafe/{plan.id}/plan.pdf").status_code == 200
    problems = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING
    ]
    assert not problems, problems
