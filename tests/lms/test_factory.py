"""The app as a whole: configuration, headers, static DSFR, error pages."""

import pytest

from cafeia import create_app
from lms.config import scratch_database
from tests.conftest import make_config
from tests.helpers import rsa_pem


def test_config_overrides_environment(database_uri):
    assert not create_app(make_config(database_uri)).config["PRODUCTION"]
    assert create_app(make_config(database_uri, TESTING=False)).config["TESTING"] is False


@pytest.mark.parametrize("missing", ["SECRET_KEY", "MAIL_SERVER", "REDIS_URL"])
def test_production_requires_a_secret_and_a_mail_server(monkeypatch, missing):
    monkeypatch.setenv("CAFEIA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("MAIL_SERVER", "smtp.exemple.fr")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        create_app()


def test_only_scratch_databases_may_be_emptied_by_tests_and_benchmarks():
    assert scratch_database("postgresql://postgres@127.0.0.1:5432/test")
    assert scratch_database("postgresql://postgres@127.0.0.1:5432/bench")
    assert not scratch_database("postgresql://cafeia@127.0.0.1:5432/cafeia")


def test_passwords_are_hashed_with_scrypt_by_default(monkeypatch):
    monkeypatch.delenv("CAFEIA_ENV", raising=False)
    app = create_app()
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    with app.app_context():
        from lms.models import User

        user = User()
        user.set_password("un mot de passe")
        assert user.password_hash.startswith("scrypt:") and user.check_password("un mot de passe")


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("CAFEIA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("MAIL_SERVER", "smtp.exemple.fr")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("BADGE_SIGNING_KEY", rsa_pem())  # read at start in production
    config = create_app().config
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_security_headers_on_every_response(client):
    for url in ["/", "/connexion", "/page-qui-n-existe-pas", "/static/dsfr/dsfr.min.css"]:
        with client.get(url) as response:
            headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_dsfr_is_served_from_its_package(client):
    with client.get("/static/dsfr/dsfr.min.css") as response:
        assert response.status_code == 200 and b".fr-header" in response.data
    assert client.get("/static/dsfr/../../package.json").status_code == 404


def test_french_404_page(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


@pytest.mark.own_app
def test_french_500_page(app, client):
    @app.get("/panne")
    def broken():
        raise RuntimeError("panne simulée")

    app.testing = False  # let the error handler answer, as in production
    response = client.get("/panne")
    assert response.status_code == 500
    assert "Erreur inattendue" in response.get_data(as_text=True)


def test_layout_has_skip_links_and_french_footer(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fr"' in page
    assert 'href="#contenu"' in page and 'id="contenu"' in page
    for link in ["/mentions-legales", "/donnees-personnelles", "/accessibilite"]:
        assert f'href="{link}"' in page
        assert client.get(link).status_code == 200
