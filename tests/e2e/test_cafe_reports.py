"""After the café, in a browser: the animatrice declares a café held without announcement and
writes its report with the keyboard alone (an error first, then sent); a participant gives
their word from the link, with the keyboard alone; the answers page shows the demo's seven.
axe at 1280 and 360 px on every page, and the Nu checker on every document (the `page` fixture).
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cafes import feedback
from cafes.models import SUBMITTED, Cafe, CafeReport, FeedbackAnswer, FeedbackForm
from lms.accounts.services import find_by_email
from lms.demo import DEMO_PASSWORD, load_demo
from lms.extensions import db
from tests.e2e.conftest import assert_accessible, log_in, tab_to, visit
from tests.e2e.test_cafes import type_date, type_into

WIDTHS = [1280, 360]


def press(page, element_id: str, key: str = "Enter") -> None:
    tab_to(page, element_id)
    page.keyboard.press(key)


def test_declare_then_report_with_the_keyboard_alone(app, page):
    load_demo()
    log_in(page, "animatrice@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    visit(page, "/mes-cafes")
    press(page, "declarer")
    page.wait_for_url("**/mes-cafes/declarer")
    assert_accessible(page)
    type_into(page, "title", "Café IA de la bibliothèque")
    type_date(page, "day", date.today() - timedelta(days=1))
    type_into(page, "starts", "1430")
    type_into(page, "ends", "1600")
    tab_to(page, "audience")
    page.keyboard.press("ArrowDown")  # « Tout public »
    press(page, "declarer-cafe")
    page.wait_for_url(re.compile(r"/mes-cafes/[0-9]+/compte-rendu$"))
    assert_accessible(page)
    # Ten people, but twelve counted by age: refused, the error tied to its fieldset.
    type_into(page, "participants", "10")
    type_into(page, "age_60_74", "12")
    press(page, "themes-3", "Space")  # la prise en main des outils
    press(page, "envoyer-compte-rendu")
    expect(page.get_by_text("plus que les 10 participants")).to_be_visible()
    assert_accessible(page)
    tab_to(page, "age_60_74")
    page.keyboard.press("Control+A")
    page.keyboard.type("7")
    press(page, "envoyer-compte-rendu")
    expect(page.get_by_text("Merci : votre compte rendu est envoyé.")).to_be_visible()
    assert_accessible(page)
    cafe = db.session.scalar(select(Cafe).where(Cafe.title == "Café IA de la bibliothèque"))
    report = db.session.scalar(select(CafeReport).where(CafeReport.cafe_id == cafe.id))
    assert report.status == SUBMITTED and report.participants == 10
    assert [(c.category, c.count) for c in report.counts] == [("60_74", 7)]
    assert [t.code for t in report.themes] == ["prise_en_main"]
    visit(page, "/mes-cafes")
    expect(page.get_by_role("link", name=re.compile("Envoyé.*bibliothèque"))).to_be_visible()


def test_a_participant_gives_their_word_with_the_keyboard_alone(app, page):
    load_demo()
    cafe = db.session.scalar(select(Cafe).where(Cafe.title == "Café IA au marché"))
    token = feedback.form_of(cafe)
    visit(page, f"/cafes/avis/{token.token}")
    # A mark missing: refused, in French.
    press(page, "envoyer-avis")
    expect(page.get_by_text("Choisissez une note de 1 à 5.").first).to_be_visible()
    assert_accessible(page)
    for question, steps in (("learned", 4), ("expressed", 3), ("next_steps", 2)):
        tab_to(page, f"{question}-0")
        page.keyboard.press("Space")
        for _ in range(steps):
            page.keyboard.press("ArrowRight")
    type_into(page, "comment", "Très convivial")
    press(page, "envoyer-avis")
    expect(page.get_by_text("Votre avis est enregistré")).to_be_visible()
    assert_accessible(page)
    (answer,) = db.session.scalars(select(FeedbackAnswer).where(FeedbackAnswer.cafe_id == cafe.id))
    assert (answer.learned, answer.expressed, answer.next_steps) == (5, 4, 3)
    assert answer.comment == "Très convivial"
    # The same browser again: it already answered.
    assert page.goto(f"/cafes/avis/{token.token}").status == 409
    expect(page.get_by_text("déjà donné votre avis")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_pages_after_the_cafe_are_accessible(app, page, width):
    load_demo()
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "animatrice@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    lea = find_by_email("animatrice@exemple.fr")
    held = db.session.scalar(
        select(Cafe).where(Cafe.animateur_id == lea.id, Cafe.title == "Café IA de rentrée")
    )
    coming = db.session.scalar(
        select(Cafe).where(Cafe.animateur_id == lea.id, Cafe.day > date.today())
    )
    for path in (
        "/mes-cafes",
        "/mes-cafes/declarer",
        f"/mes-cafes/{held.id}/compte-rendu",
        f"/mes-cafes/{held.id}/avis",
        f"/mes-cafes/{coming.id}/compte-rendu",
        f"/mes-cafes/{coming.id}/avis",
    ):
        visit(page, path)
    visit(page, f"/mes-cafes/{held.id}/avis")
    expect(page.locator("#avis-notes")).to_be_visible()  # the seven answers of the demo
    # The table's first column stays visible on a phone.
    header = page.get_by_role("rowheader", name="J'ai appris des choses")
    header.scroll_into_view_if_needed()
    box = header.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    token = db.session.get(FeedbackForm, held.id).token
    page.context.clear_cookies()  # a participant's phone, signed in nowhere
    assert page.goto(f"/cafes/avis/{token}").status == 409  # closed: twelve days ago
    assert_accessible(page)
