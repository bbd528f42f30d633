"""LTI pages in a browser, launched from a real LTI platform (lti1p3platform): every new page
passes axe at 1280 and 360 px (and the Nu HTML checker, through the `page` fixture)."""

from urllib.parse import urlencode

import pytest
import requests
from playwright.sync_api import expect

from lms.extensions import db
from lti.models import Platform
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, visit
from tests.lti.platform import Platform as LmsPlatform

WIDTHS = [1280, 360]


@pytest.fixture
def lms(app, live_server):
    platform = LmsPlatform().start()
    platform.tool_login_url = f"{live_server}/lti/connexion"
    platform.tool_launch_url = f"{live_server}/lti/lancement"
    platform.tool_key_set = requests.get(f"{live_server}/lti/jwks.json", timeout=5).json()
    db.session.add(
        Platform(
            name="Moodle de test",
            issuer=platform.url,
            client_id=platform.client_id,
            deployment_ids=platform.deployment_id,
            auth_login_url=f"{platform.url}/auth",
            token_url=f"{platform.url}/token",
            jwks_url=f"{platform.url}/jwks",
        )
    )
    db.session.commit()
    yield platform
    platform.stop()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_instructor_chooses_a_module_to_link(page, lms, width):
    page.set_viewport_size({"width": width, "height": 800})
    params = lms.prepare(sub="prof-1", instructor=True, deep_link=True)
    page.goto("/lti/connexion?" + urlencode(params))
    page.wait_for_url("**/lti/lien-profond")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Choisir le contenu à relier au cours"
    )
    assert_accessible(page)
    page.get_by_text("Module 2 :").click()
    with page.expect_navigation(url=f"{lms.url}/deep_link_return"):
        page.get_by_role("button", name="Ajouter ce lien au cours").click()
    assert lms.deep_link_items[0]["custom"]["module"]
    visit(page, "/lti/cours")
    expect(page.get_by_role("heading", name="Médiation numérique et IA")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_admin_registers_a_platform(page, create_user, width):
    page.set_viewport_size({"width": width, "height": 800})
    admin = create_user(role="admin")
    log_in(page, admin.email, PASSWORD)
    visit(page, "/lti/plateformes")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer la plateforme").click()
    expect(page.locator(".fr-error-text").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Nom de la plateforme").fill("Moodle académique")
    page.get_by_label("Émetteur (issuer)").fill("https://moodle.exemple.fr")
    page.get_by_label("Identifiant client").fill("abc")
    page.get_by_label("Identifiants de déploiement (un par ligne)").fill("1")
    page.get_by_label("URL d'authentification OIDC").fill("https://moodle.exemple.fr/auth")
    page.get_by_label("URL de jeton OAuth 2").fill("https://moodle.exemple.fr/token")
    page.get_by_label("URL du jeu de clés (JWKS)").fill("https://moodle.exemple.fr/certs")
    page.get_by_role("button", name="Enregistrer la plateforme").click()
    expect(page.get_by_role("cell", name="Moodle académique", exact=True)).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_refused_launch_says_why(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/lti/connexion?iss=https://inconnu.exemple&login_hint=x&target_link_uri=x")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lancement refusé")
    assert_accessible(page)
