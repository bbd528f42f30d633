"""First journeys, as a person would make them: keyboard, forms, and axe on every page."""

import pytest

from lms.demo import load_demo
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, visit

PUBLIC_PAGES = [
    "/",
    "/modules",
    "/inscription",
    "/connexion",
    "/mot-de-passe-oublie",
    "/mentions-legales",
    "/donnees-personnelles",
    "/accessibilite",
    "/page-inconnue",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_are_accessible(page, path):
    response = page.goto(path)
    assert response.status in (200, 404)
    assert_accessible(page)


def test_first_tab_reaches_the_skip_link(page):
    visit(page, "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#contenu"
    page.keyboard.press("Enter")
    # A fragment navigation is asynchronous: wait for it rather than read the URL at once.
    page.wait_for_url("**/#contenu")


def test_newcomer_signs_up_logs_out_and_logs_in_again(page):
    visit(page, "/inscription")
    page.get_by_label("Adresse électronique").fill("nadia.roux@exemple.fr")
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_label("Prénom").fill("Nadia")
    page.get_by_label("Nom", exact=True).fill("Roux")
    page.get_by_label("Profil").select_option("conseiller")
    page.get_by_label("Structure employeuse").fill("Mairie de Quimper")
    page.get_by_label("Commune d'exercice").fill("Quimper")
    page.get_by_label("Département").select_option("29")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/tableau-de-bord")
    assert page.get_by_role("heading", name="Bonjour Nadia").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_url("**/")
    assert page.get_by_role("link", name="Se connecter").first.is_visible()

    log_in(page, "nadia.roux@exemple.fr", PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    assert_accessible(page)


def test_sign_up_errors_are_announced_and_accessible(page):
    visit(page, "/inscription")
    page.get_by_role("button", name="Créer mon compte").click()
    assert page.locator(".fr-error-text").count() >= 5
    email = page.get_by_label("Adresse électronique")
    assert email.get_attribute("aria-invalid") == "true"
    assert "email-error" in email.get_attribute("aria-describedby")
    assert_accessible(page)


@pytest.mark.parametrize(
    "email, home, heading",
    [
        ("formateur@exemple.fr", "**/formateur", "Espace formateur"),
        ("admin@exemple.fr", "**/admin/", "Administration nationale"),
    ],
)
def test_formateur_and_admin_reach_their_home(app, page, email, home, heading):
    load_demo()
    log_in(page, email, "cafeia-demo")
    page.wait_for_url(home)
    assert page.get_by_role("heading", name=heading).is_visible()
    assert_accessible(page)


def test_admin_pages_and_account_pages_are_accessible(app, page):
    load_demo()
    log_in(page, "admin@exemple.fr", "cafeia-demo")
    page.wait_for_url("**/admin/")
    for path in [
        "/admin/utilisateurs",
        "/mon-compte",
        "/mon-compte/mot-de-passe",
        "/mon-compte/supprimer",
        "/tableau-de-bord",
        "/formateur",
    ]:
        visit(page, path)


def test_mobile_menu_opens_with_the_keyboard(page):
    page.set_viewport_size({"width": 360, "height": 740})
    visit(page, "/")
    menu = page.get_by_role("button", name="Menu")
    menu.focus()
    page.keyboard.press("Enter")
    assert page.locator("#menu-mobile").get_by_role("link", name="Les modules").is_visible()
    assert_accessible(page)
