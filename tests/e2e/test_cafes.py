"""The agenda in a browser: a certified animatrice announces a café with the keyboard alone,
a visitor finds it and registers with the keyboard alone; every page of the agenda passes
axe at 1280 and 360 px (and the Nu HTML checker, through the `page` fixture)."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cafes.models import Cafe, Registration
from lms.accounts.services import find_by_email
from lms.demo import DEMO_PASSWORD, load_demo
from lms.extensions import db
from tests.e2e.conftest import assert_accessible, log_in, tab_to, visit

WIDTHS = [1280, 360]


def type_into(page, element_id: str, text: str) -> None:
    tab_to(page, element_id)
    page.keyboard.type(text)


def type_date(page, element_id: str, day: date) -> None:
    """Chromium orders a date's parts as its own interface language does (Debian's: en-US),
    whatever the page's language: the keyboard types them in that order."""
    for order in ("%m%d%Y", "%d%m%Y"):
        tab_to(page, "title")
        type_into(page, element_id, day.strftime(order))
        if page.eval_on_selector(f"#{element_id}", "e => e.value") == day.isoformat():
            return
    raise AssertionError("la date ne se saisit pas au clavier")


def test_announce_then_register_with_the_keyboard_alone(app, page, mailbox):
    load_demo()
    log_in(page, "animatrice@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    visit(page, "/mes-cafes")
    tab_to(page, "annoncer")
    page.keyboard.press("Enter")
    page.wait_for_url("**/mes-cafes/nouveau")
    assert_accessible(page)
    day = date.today() + timedelta(days=20)
    type_into(page, "title", "Café IA du clavier")
    type_date(page, "day", day)
    type_into(page, "starts", "1430")
    type_into(page, "ends", "1630")
    type_into(page, "description", "Sans souris, du début à la fin.")
    tab_to(page, "enregistrer-cafe")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cafes/[0-9]+$"))
    expect(page.get_by_text("Votre café est annoncé dans l'agenda.")).to_be_visible()
    assert_accessible(page)
    cafe = db.session.scalar(select(Cafe).where(Cafe.title == "Café IA du clavier"))
    assert cafe.day == day and cafe.starts.hour == 14 and cafe.departement_code == "31"
    page.get_by_role("button", name="Se déconnecter").first.click()

    visit(page, f"/cafes/{cafe.id}")
    type_into(page, "name", "Odette")
    type_into(page, "email", "odette@exemple.fr")
    tab_to(page, "consent")
    page.keyboard.press("Space")
    tab_to(page, "s-inscrire")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Vous êtes inscrit·e")).to_be_visible()
    assert_accessible(page)
    (mail,) = [m for m in mailbox if m["To"] == "odette@exemple.fr"]
    link = re.search(r"(/cafes/desinscription/\S+)", mail.get_body(("plain",)).get_content())[1]
    visit(page, link)
    page.get_by_role("button", name="Annuler mon inscription").click()
    expect(page.get_by_role("heading", name="Inscription annulée")).to_be_visible()
    assert_accessible(page)
    assert (
        db.session.scalar(select(Registration).where(Registration.email == "odette@exemple.fr"))
        is None
    )


def test_the_agenda_map_leads_to_a_departement(app, page):
    load_demo()
    visit(page, "/cafes")
    tab_to(page, "carte-29")
    expect(page.locator("#carte-29")).to_have_attribute(
        "aria-label", re.compile("^Finistère : 1 café$")
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/cafes?departement=29")
    expect(page.get_by_role("link", name="Parents, enfants et IA")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_public_page_is_accessible(app, page, width):
    load_demo()
    page.set_viewport_size({"width": width, "height": 800})
    lea = find_by_email("animatrice@exemple.fr")
    full = db.session.scalar(
        select(Cafe).where(Cafe.seats_taken == Cafe.capacity, Cafe.animateur_id == lea.id)
    )
    hybrid = db.session.scalar(select(Cafe).where(Cafe.format == "hybride"))
    token = db.session.scalar(select(Registration.token).where(Registration.cafe_id == full.id))
    for path in (
        "/cafes",
        "/cafes?format=presentiel&public=tout_public",
        "/cafes?departement=99",  # the refusal page too
        f"/cafes/{full.id}",
        f"/cafes/{hybrid.id}",
        f"/cafes/animateurs/{lea.id}",
        f"/cafes/desinscription/{token}",
    ):
        if path.endswith("departement=99"):  # (a token may hold « 99 » too)
            assert page.goto(path).status == 400
            assert_accessible(page)
        else:
            visit(page, path)
    expect(page.get_by_role("button", name="Annuler mon inscription")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_of_the_animatrice_is_accessible(app, page, width):
    load_demo()
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "animatrice@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    lea = find_by_email("animatrice@exemple.fr")
    full = db.session.scalar(
        select(Cafe).where(Cafe.seats_taken == Cafe.capacity, Cafe.animateur_id == lea.id)
    )
    for path in (
        "/mes-cafes",
        "/mes-cafes/nouveau",
        f"/mes-cafes/{full.id}/modifier",
        f"/mes-cafes/{full.id}/dupliquer",
        f"/mes-cafes/{full.id}/participants",
    ):
        visit(page, path)
    # A refused form, its errors tied to their fields.
    page.goto("/mes-cafes/nouveau")
    page.get_by_label("Titre du café").fill("")
    page.get_by_role("button", name="Annoncer le café").click()
    expect(page.get_by_text("Donnez un titre au café.")).to_be_visible()
    assert_accessible(page)
    # The printed list: the menu and the buttons are gone.
    page.goto(f"/mes-cafes/{full.id}/participants")
    page.emulate_media(media="print")
    expect(page.locator(".fr-header")).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile("^Retirer")).first).to_be_hidden()
    expect(page.get_by_role("cell", name=re.compile("participant1\\.")).first).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_moderation_and_the_refusal_are_accessible(app, page, width):
    load_demo()
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "admin@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    visit(page, "/admin/cafes")
    page.get_by_label(re.compile("Motif pour « Parents, enfants et IA »")).fill("Publicité.")
    page.get_by_role("button", name="Masquer : Parents, enfants et IA").click()
    expect(page.get_by_text("Le café est masqué")).to_be_visible()
    assert_accessible(page)
    # Not certified: the page says why.
    assert page.goto("/mes-cafes").status == 403
    assert_accessible(page)
