"""ProConnect in a browser: the button on the sign-in page, the provider's login page (a real
oidc-provider configured like ProConnect), back signed in with a new account, then logged out
of both; axe on the pages touched, at 1280 and 360 px."""

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from cafeia import create_app
from lms.extensions import db
from tests.conftest import PASSWORD, free_port, make_config
from tests.e2e.conftest import REAL_CONTENT, assert_accessible, visit
from tests.proconnect.conftest import OpenIdProvider


@pytest.fixture(scope="module")
def base_url():
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def openid_provider(base_url):
    provider = OpenIdProvider(free_port(), [base_url])
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def live_server(database_uri, base_url, openid_provider):
    """The platform, configured to sign in with the local provider."""
    config = {**REAL_CONTENT, **openid_provider.config(base_url)}
    app = create_app(make_config(database_uri, BASE_URL=base_url, **config))
    server = make_server("127.0.0.1", int(base_url.rsplit(":", 1)[1]), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


def live_url(page) -> str:
    return page.context.pages[0].evaluate("location.origin")


@pytest.mark.parametrize("width", [1280, 360])
def test_sign_in_with_proconnect_then_log_out_of_both(app, page, openid_provider, width):
    page.set_viewport_size({"width": width, "height": 900})
    login = f"agathe{width}"
    openid_provider.add_account(login, given_name="Agathe", usual_name="Martin")
    visit(page, "/inscription")
    visit(page, "/connexion")
    page.get_by_role("button", name="S’identifier avec ProConnect").click()

    page.wait_for_url(f"{openid_provider.issuer}/interaction/**")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_role("button", name="Se connecter").click()

    page.wait_for_url("**/proconnect/inscription")
    expect(page.get_by_text("Agathe Martin")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Structure employeuse").fill("Médiathèque de Pontivy")
    page.get_by_label("Profil").select_option("mediateur")
    page.get_by_label("Commune d'exercice").fill("Pontivy")
    page.get_by_label("Département").select_option("56")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/tableau-de-bord")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Agathe")
    expect(page.get_by_text("Bienvenue ! Votre compte est créé.")).to_be_visible()

    visit(page, "/mon-compte")
    expect(page.get_by_text("Votre compte est relié à votre identité ProConnect")).to_be_visible()

    if width < 1000:  # the header's links are in the menu
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_url(f"{openid_provider.issuer}/session/end**")
    page.get_by_role("button", name="Se déconnecter de ProConnect").click()
    page.wait_for_url(f"{live_url(page)}/")
    expect(
        page.get_by_text("Vous êtes déconnecté·e de la plateforme et de ProConnect.")
    ).to_be_visible()
    assert_accessible(page)

    # Logged out of ProConnect too: signing in again asks for the identity at the provider.
    visit(page, "/connexion")
    page.get_by_role("button", name="S’identifier avec ProConnect").click()
    page.wait_for_url(f"{openid_provider.issuer}/interaction/**")
    expect(page.get_by_label("Identifiant")).to_be_visible()


def test_an_account_with_the_same_address_is_linked_with_its_password(
    app, page, openid_provider, create_user
):
    create_user(email="bastien@exemple.fr", first_name="Bastien")
    openid_provider.add_account("bastien")
    visit(page, "/connexion")
    page.get_by_role("button", name="S’identifier avec ProConnect").click()
    page.get_by_label("Identifiant").fill("bastien")
    page.get_by_role("button", name="Se connecter").click()

    page.wait_for_url("**/proconnect/relier")
    assert_accessible(page)
    page.get_by_label("Mot de passe de ce compte").fill("pas-le-bon")
    page.get_by_role("button", name="Relier mon compte").click()
    expect(
        page.get_by_text("Mot de passe incorrect : le compte n'a pas été relié.")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Mot de passe de ce compte").fill(PASSWORD)
    page.get_by_role("button", name="Relier mon compte").click()
    page.wait_for_url("**/tableau-de-bord")
    expect(page.get_by_text("Votre compte est relié à ProConnect.")).to_be_visible()

    visit(page, "/mon-compte")
    page.get_by_role("button", name="Délier mon compte de ProConnect").click()
    expect(page.get_by_text("Votre compte n'est plus relié à ProConnect.")).to_be_visible()
    assert_accessible(page)
