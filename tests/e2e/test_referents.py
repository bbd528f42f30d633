"""Local référents in a browser: an admin gives a territory, the demo référente for Bretagne
follows it, hides one of its cafés and writes to its animateurs, with the keyboard alone;
every page passes axe at 1280 and 360 px (and the Nu HTML checker, through `page`)."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cafes.models import Cafe
from lms.accounts.services import find_by_email
from lms.demo import DEMO_PASSWORD, load_demo
from lms.extensions import db
from referents.models import Assignment
from tests.e2e.conftest import assert_accessible, log_in, tab_to, visit

WIDTHS = [1280, 360]


def type_into(page, element_id: str, text: str) -> None:
    tab_to(page, element_id)
    page.keyboard.type(text)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_gives_a_departement_with_the_keyboard(app, page, mailbox, width):
    load_demo()
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "admin@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    assert_accessible(page)
    page.get_by_role("link", name="Référents locaux").click()
    page.wait_for_url("**/admin/referents")
    assert_accessible(page)
    expect(page.get_by_role("cell", name="Région Bretagne", exact=True)).to_be_visible()
    type_into(page, "email", "formateur@exemple.fr")
    tab_to(page, "territory")
    page.select_option("#territory", "departement:59")  # reached by Tab; headless lists no options
    type_into(page, "reason", "Suivi des Cafés IA du Nord.")
    tab_to(page, "reason")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("suit désormais : Nord (59)")).to_be_visible()
    assert_accessible(page)
    karim = find_by_email("formateur@exemple.fr")
    assert db.session.scalar(select(Assignment.code).where(Assignment.user_id == karim.id)) == "59"
    assert karim.role == "formateur"
    assert any(m["To"] == "formateur@exemple.fr" for m in mailbox)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_referente_follows_bretagne_hides_a_cafe_and_writes(app, page, mailbox, width):
    load_demo()
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "referente@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    assert_accessible(page)
    page.get_by_role("link", name="Voir mon territoire").click()
    page.wait_for_url("**/mon-territoire")
    assert_accessible(page)
    expect(page.get_by_role("rowheader", name="Parents, enfants et IA")).to_be_visible()
    expect(page.get_by_text("Toulouse")).to_have_count(0)
    brest = db.session.scalar(select(Cafe).where(Cafe.title == "Parents, enfants et IA"))
    type_into(page, f"motif-{brest.id}", "Annonce en doublon.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Le café est masqué")).to_be_visible()
    assert_accessible(page)
    db.session.expire_all()
    assert db.session.get(Cafe, brest.id).hidden_reason == "Annonce en doublon."
    visit(page, "/mon-territoire/message")
    type_into(page, "subject", "Rencontre des animateurs")
    type_into(page, "body", "Rendez-vous le 12 à Rennes.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/mon-territoire")
    expect(page.get_by_text("Votre message est envoyé à 1 animateur.")).to_be_visible()
    sent = [m for m in mailbox if m["Reply-To"] == "referente@exemple.fr"]
    assert [m["To"] for m in sent] == ["yann.le-gall@exemple.fr"]
