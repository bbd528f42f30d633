"""Sign-up, log in and out, password reset and « Mon compte », through HTTP."""

import json
import re

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import User
from tests.conftest import PASSWORD
from tests.helpers import VALID


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_sign_up_creates_an_apprenant_and_logs_in(client):
    response = client.submit("/inscription", VALID)
    assert response.status_code == 302 and response.location.endswith("/tableau-de-bord")
    user = db.session.scalar(select(User))
    assert user.email == "claire.petit@exemple.fr"
    assert user.role == "apprenant" and user.region == "Occitanie"
    assert user.password_hash.startswith("pbkdf2:") and PASSWORD not in user.password_hash
    assert "Bonjour Claire" in client.get("/tableau-de-bord").get_data(as_text=True)


def test_log_out_then_log_in_again(client, auth):
    client.submit("/inscription", VALID)
    assert auth.logout().status_code == 302
    assert client.get("/tableau-de-bord").status_code == 302
    response = auth.login("claire.petit@exemple.fr")
    assert response.status_code == 302 and response.location.endswith("/tableau-de-bord")


def test_login_starts_a_new_session(client, create_user):
    user = create_user()
    with client.session_transaction() as session:
        session["trace_d_avant"] = "doit disparaître"
    client.submit("/connexion", {"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "trace_d_avant" not in session
        assert session["_user_id"] == str(user.id)


def test_logout_is_a_post(client, login_as):
    login_as()
    assert client.get("/deconnexion").status_code == 405
    assert client.get("/tableau-de-bord").status_code == 200


@pytest.mark.parametrize(
    "role, home",
    [("formateur", "/formateur"), ("admin", "/admin/"), ("apprenant", "/tableau-de-bord")],
)
def test_each_role_lands_on_its_home(auth, create_user, role, home):
    response = auth.login(create_user(role=role).email)
    assert response.location.endswith(home)


# --- bad input: a French message, the right status code, nothing stored ---------------------


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("email", "", "Ce champ est obligatoire"),
        ("email", "pas-une-adresse", "adresse électronique valide"),
        ("password", "court", "entre 12 et 128 caractères"),
        ("confirm", "autre-mot-de-passe", "ne sont pas identiques"),
        ("first_name", "", "Ce champ est obligatoire"),
        ("last_name", "   ", "Ce champ est obligatoire"),
        ("structure", " \t ", "Ce champ est obligatoire"),
        ("departement", "", "Ce champ est obligatoire"),
        ("departement", "20", "choix valide"),
        ("departement", "999", "choix valide"),
        ("profile", "astronaute", "choix valide"),
        ("structure", "x" * 201, "200 caractères"),
        ("commune", "Saint-\ufffd-sur-Mer", "caractères illisibles"),
    ],
)
def test_sign_up_refuses_bad_input(client, field, value, message):
    response = client.submit("/inscription", {**VALID, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_users() == 0


def test_a_nul_character_is_refused_before_any_form_reads_it(client):
    response = client.submit("/inscription", {**VALID, "last_name": "Petit\x00"})
    assert response.status_code == 400 and "caractère nul" in response.get_data(as_text=True)
    assert count_users() == 0


def test_sign_up_refuses_non_utf8_bytes(client):
    token = client.csrf_token()
    body = (
        f"csrf_token={token}&email=claire%40exemple.fr&password={PASSWORD}&confirm={PASSWORD}"
        "&first_name=Cl%E9mence&last_name=Petit&profile=mediateur&structure=CS"
        "&commune=Toulouse&departement=31"
    ).encode()
    response = client.post(
        "/inscription", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "caractères illisibles" in response.get_data(as_text=True)
    assert count_users() == 0


def test_sign_up_refuses_a_duplicate_email_whatever_its_case(client, create_user):
    # Someone else's account: with its own password (the same form sent twice logs in instead,
    # tests/test_double_submits.py).
    create_user(email="claire.petit@exemple.fr", password="le-mot-de-passe-de-claire")
    response = client.submit("/inscription", {**VALID, "email": "CLAIRE.PETIT@exemple.fr"})
    assert response.status_code == 409
    assert "Un compte existe déjà" in response.get_data(as_text=True)
    assert count_users() == 1


def test_sign_up_without_csrf_token_is_refused(client):
    response = client.post("/inscription", data=VALID)
    assert response.status_code == 400
    assert "jeton de sécurité" in response.get_data(as_text=True)
    assert count_users() == 0


def test_wrong_password_is_refused(client, create_user):
    user = create_user()
    response = client.submit(
        "/connexion", {"email": user.email, "password": "mauvais-mot-de-passe"}
    )
    assert response.status_code == 401
    assert "mot de passe incorrect" in response.get_data(as_text=True)
    assert client.get("/tableau-de-bord").status_code == 302


def test_login_attempts_are_rate_limited(app, client, create_user):
    user = create_user()
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        client.submit("/connexion", {"email": user.email, "password": "mauvais-mot-de-passe"})
    response = client.submit("/connexion", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1, "LOGIN_RATE_LIMIT": "2 per minute"}])
def test_behind_a_proxy_each_visitor_has_their_own_login_limit(client, create_user):
    user = create_user()

    def attempt(address):
        return client.submit(
            "/connexion",
            {"email": user.email, "password": "mauvais-mot-de-passe"},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [attempt("203.0.113.7") for _ in range(3)] == [401, 401, 429]
    assert attempt("198.51.100.9") == 401  # another visitor behind the same proxy


# --- password reset ---------------------------------------------------------------------------


def reset_link(message) -> str:
    return re.search(r"http://cafeia\.test(/reinitialiser/\S+)", message.get_content()).group(1)


def test_password_reset_by_email_is_single_use(client, auth, create_user, mailbox):
    user = create_user()
    response = client.submit("/mot-de-passe-oublie", {"email": user.email})
    assert response.status_code == 302
    assert len(mailbox) == 1 and mailbox[0]["To"] == user.email
    link = reset_link(mailbox[0])
    new_password = "un-nouveau-mot-de-passe"
    response = client.submit(link, {"password": new_password, "confirm": new_password})
    assert response.status_code == 302 and response.location.endswith("/connexion")
    assert auth.login(user.email, new_password).status_code == 302
    # Spent: the same link no longer works.
    again = client.submit(
        link, {"password": "encore-un-autre-mdp", "confirm": "encore-un-autre-mdp"}
    )
    assert again.location.endswith("/mot-de-passe-oublie")
    db.session.refresh(user)
    assert user.check_password(new_password)


def test_password_reset_link_expires(app, client, create_user, mailbox):
    user = create_user()
    client.submit("/mot-de-passe-oublie", {"email": user.email})
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(reset_link(mailbox[0]))
    assert response.status_code == 302 and response.location.endswith("/mot-de-passe-oublie")


def test_password_reset_does_not_reveal_unknown_accounts(client, mailbox):
    response = client.submit("/mot-de-passe-oublie", {"email": "inconnu@exemple.fr"})
    assert response.status_code == 302 and mailbox == []


def test_tampered_reset_token_is_refused(client, create_user):
    create_user()
    response = client.get("/reinitialiser/un-jeton-fabrique")
    assert response.status_code == 302 and response.location.endswith("/mot-de-passe-oublie")


def test_reset_email_is_printed_without_smtp(client, create_user, capsys):
    user = create_user()
    client.submit("/mot-de-passe-oublie", {"email": user.email})
    assert "/reinitialiser/" in capsys.readouterr().out


# --- Mon compte -------------------------------------------------------------------------------


def test_edit_profile(client, login_as):
    user = login_as()
    response = client.submit("/mon-compte", {**VALID, "commune": "Blagnac"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.commune == "Blagnac" and user.departement_code == "31"


def test_edit_profile_refuses_unknown_departement(client, login_as):
    user = login_as()
    response = client.submit("/mon-compte", {**VALID, "departement": "XX"})
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.departement_code == "69"


def test_change_password_needs_the_current_one(client, auth, login_as):
    user = login_as()
    new = "mon-nouveau-mot-de-passe"
    wrong = client.submit(
        "/mon-compte/mot-de-passe", {"current": "pas-le-bon", "password": new, "confirm": new}
    )
    assert wrong.status_code == 401
    ok = client.submit(
        "/mon-compte/mot-de-passe", {"current": PASSWORD, "password": new, "confirm": new}
    )
    assert ok.status_code == 302
    db.session.refresh(user)
    assert user.check_password(new)


def test_download_my_data(client, login_as):
    user = login_as()
    response = client.get("/mon-compte/donnees.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["compte"]["email"] == user.email
    assert "password_hash" not in response.get_data(as_text=True)


def test_delete_account_after_confirmation(client, login_as):
    login_as()
    refused = client.submit("/mon-compte/supprimer", {"password": PASSWORD})
    assert refused.status_code == 422 and count_users() == 1
    wrong = client.submit("/mon-compte/supprimer", {"password": "pas-le-bon", "confirm": "y"})
    assert wrong.status_code == 401 and count_users() == 1
    done = client.submit("/mon-compte/supprimer", {"password": PASSWORD, "confirm": "y"})
    assert done.status_code == 302 and count_users() == 0
    assert client.get("/tableau-de-bord").status_code == 302


def test_login_returns_to_the_page_asked_for_and_only_on_this_site(client, create_user):
    user = create_user()
    response = client.submit(
        "/connexion?next=/modules", {"email": user.email, "password": PASSWORD}
    )
    assert response.location == "/modules"
    client.submit("/deconnexion")
    hostiles = (
        "https://pirate.example/",
        "//pirate.example/",
        "/\\pirate.example",
        "/%09/pirate.example",  # a tab, dropped by browsers: « //pirate.example »
        "/%0a/pirate.example",
        "/%5c%5cpirate.example",
    )
    for hostile in hostiles:
        response = client.submit(
            f"/connexion?next={hostile}", {"email": user.email, "password": PASSWORD}
        )
        assert response.location.endswith("/tableau-de-bord"), hostile
        client.submit("/deconnexion")
