"""The annuaire in a browser: publish a listing, find it as the public, write to the animateur."""

import re

from playwright.sync_api import expect

from certificates.demo import certify
from lms.accounts.services import find_by_email
from lms.demo import DEMO_PASSWORD, load_demo
from tests.e2e.conftest import assert_accessible, log_in, tab_to, visit


def test_listing_search_and_contact(app, page, mailbox):
    load_demo()
    learner = find_by_email("apprenant@exemple.fr")
    certify(learner)
    log_in(page, learner.email, DEMO_PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    visit(page, "/mon-statut")
    page.get_by_role("link", name="Rejoindre l'annuaire").click()
    page.wait_for_url("**/annuaire/ma-fiche")
    assert_accessible(page)
    page.get_by_label("Nom affiché").fill("Camille, médiathèque de Lorient")
    # DSFR draws its own boxes over the inputs: a person clicks the label.
    page.locator("label", has_text="En ligne").click()
    page.locator("label", has_text="Seniors").click()
    page.get_by_label("Présentation").fill("Cafés IA un samedi par mois, ouverts à toutes et tous.")
    page.locator("label", has_text="J'accepte que ces informations soient publiées").click()
    page.get_by_role("button", name="Publier ma fiche").click()
    expect(page.get_by_text("Votre fiche est publiée dans l'annuaire.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").first.click()

    visit(page, "/annuaire")
    page.get_by_label("Région").select_option("Bretagne")
    page.get_by_label("Public").select_option("seniors")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/annuaire?**")
    assert_accessible(page)
    page.get_by_role("link", name="Camille, médiathèque de Lorient").click()
    assert_accessible(page)
    page.get_by_label("Votre nom").fill("Mairie de Ploemeur")
    page.get_by_label("Votre adresse électronique").fill("animation@ploemeur.example")
    page.get_by_label("Votre message").fill("Pourriez-vous animer un Café IA en mars ?")
    page.get_by_role("button", name="Envoyer le message").click()
    expect(page.get_by_text("Votre message a été transmis.")).to_be_visible()
    assert learner.email not in page.content()
    (mail,) = mailbox
    assert mail["To"] == learner.email and "animation@ploemeur.example" in mail.get_content()


def test_the_map_is_usable_with_the_keyboard(app, page):
    load_demo()
    visit(page, "/annuaire")
    # The Tab key alone, from the top of the page, must reach a département of the map.
    tab_to(page, "carte-29")
    expect(page.locator("#carte-29")).to_have_attribute("aria-label", re.compile("^Finistère : "))
    page.keyboard.press("Enter")
    page.wait_for_url("**/annuaire?departement=29")
    assert page.get_by_role("link", name="Yann L.").is_visible()
    page.set_viewport_size({"width": 360, "height": 740})
    visit(page, "/annuaire")


def luminance(colour: str) -> float:
    """WCAG's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_map_steps_are_told_apart_and_it_can_be_skipped(app, page):
    load_demo()
    visit(page, "/annuaire")
    fills = page.locator(".cafeia-map-legend rect").evaluate_all(
        "rects => rects.map(r => r.getAttribute('fill'))"
    )
    assert len(fills) == 4
    for lighter, darker in zip(fills, fills[1:], strict=False):
        ratio = (luminance(lighter) + 0.05) / (luminance(darker) + 0.05)
        assert ratio >= 2, (lighter, darker, ratio)
    # The keyboard: the skip link comes before the 96 départements, and leads past them.
    tab_to(page, "carte-titre-passer", limit=100)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The table's scrolling frame (DSFR, focusable so that a keyboard can scroll it).
    focused = page.evaluate("document.activeElement.closest('.fr-table, svg')?.tagName")
    assert focused == "DIV"


def test_corsica_is_on_the_phone_screen(app, page):
    load_demo()
    page.set_viewport_size({"width": 360, "height": 740})
    visit(page, "/annuaire")
    page.locator("#carte-2B").scroll_into_view_if_needed()
    for code in ("2A", "2B", "29", "67"):
        box = page.locator(f"#carte-{code} path").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, (code, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
