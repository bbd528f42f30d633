"""Sign in with ProConnect against a real OpenID provider (oidc-provider on 127.0.0.1)."""

import html
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import User
from proconnect.models import ProConnectIdentity
from tests.conftest import PASSWORD, free_port
from tests.vnu import html_errors, require_checker

from .conftest import query

PROFILE = {
    "profile": "conseiller",
    "structure": "Médiathèque de Pontivy",
    "commune": "Pontivy",
    "departement": "56",
}


def start(client) -> str:
    response = client.submit("/proconnect/connexion")
    assert response.status_code == 302
    return response.location


def callback(client, provider, login, **change):
    """Go to the provider, sign in there, come back; `change` alters the callback's parameters."""
    url = provider.sign_in(start(client), login)
    params = {**query(url), **change}
    return client.get("/proconnect/retour", query_string=params)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_authorization_request_is_the_one_proconnect_specifies(client, provider):
    params = query(start(client))
    assert params["scope"] == "openid given_name usual_name email uid siret idp_id"
    assert params["acr_values"] == "eidas1" and params["response_type"] == "code"
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["redirect_uri"] == "http://cafeia.test/proconnect/retour"


def test_the_button_shows_on_the_sign_in_and_sign_up_pages(client, provider):
    for url in ("/connexion", "/inscription"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert "fr-connect fr-connect--pro" in page and "Qu’est-ce que ProConnect ?" in page
        # Its form, and the log-out's, are answered by a redirect to the provider.
        policy = response.headers["Content-Security-Policy"]
        assert f"form-action 'self' http://127.0.0.1:{provider.port};" in policy


def test_without_settings_there_is_no_button_and_no_route(app, client):
    app.config["PROCONNECT_CLIENT_SECRET"] = None
    assert "fr-connect" not in client.get("/connexion").get_data(as_text=True)
    assert client.submit("/proconnect/connexion").status_code == 404
    assert client.get("/proconnect/retour?code=x&state=y").status_code == 404
    assert "form-action 'self';" in client.get("/connexion").headers["Content-Security-Policy"]


def test_first_sign_in_creates_the_account_then_signs_in_by_sub(client, provider):
    provider.add_account("marie")
    response = callback(client, provider, "marie")
    assert response.status_code == 302 and response.location.endswith("/proconnect/inscription")
    page = client.get("/proconnect/inscription").get_data(as_text=True)
    assert "13002526500013" in page and "marie@exemple.fr" in page
    response = client.submit("/proconnect/inscription", PROFILE)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "marie@exemple.fr"))
    assert (user.first_name, user.last_name, user.structure) == (
        "Marie",
        "Curie",
        "Médiathèque de Pontivy",
    )
    assert user.password_hash is None
    identity = db.session.scalar(select(ProConnectIdentity))
    assert (identity.user_id, identity.sub, identity.idp_id, identity.siret) == (
        user.id,
        "marie",
        "fi-de-test",
        "13002526500013",
    )
    data = client.get("/mon-compte/donnees.json").get_json()
    assert data["proconnect"]["sub"] == "marie"
    assert "relié à votre identité ProConnect" in client.get("/mon-compte").get_data(as_text=True)
    # Next time: recognised by sub + idp_id, straight in.
    client.submit("/deconnexion")
    response = callback(client, provider, "marie")
    assert response.status_code == 302 and "/proconnect/" not in response.location
    assert client.get("/mon-compte").status_code == 200
    assert count(User) == 1


def test_an_account_with_the_same_address_is_linked_only_with_its_password(
    client, provider, create_user
):
    owner = create_user(email="claire@exemple.fr")
    provider.add_account("claire")
    response = callback(client, provider, "claire")
    assert response.location.endswith("/proconnect/relier")
    assert client.get("/mon-compte").status_code == 302  # not signed in by the address alone
    wrong = client.submit("/proconnect/relier", {"password": "pas-le-bon-mot-de-passe"})
    assert wrong.status_code == 401 and "Mot de passe incorrect" in text(wrong)
    assert count(ProConnectIdentity) == 0
    assert client.submit("/proconnect/relier", {"password": PASSWORD}).status_code == 302
    assert db.session.scalar(select(ProConnectIdentity.user_id)) == owner.id
    # Unlinking (the account has a password) takes the link away.
    assert client.submit("/proconnect/delier").status_code == 302
    assert count(ProConnectIdentity) == 0


def test_an_address_linked_to_another_identity_is_refused(client, provider, create_user):
    owner = create_user(email="jean@exemple.fr")
    db.session.add(
        ProConnectIdentity(user_id=owner.id, sub="autre", idp_id="fi-de-test", siret="1")
    )
    db.session.commit()
    provider.add_account("jean")
    response = callback(client, provider, "jean")
    assert response.status_code == 409
    assert "déjà reliée à une autre identité ProConnect" in text(response)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"state": "x" * 43}, "ne vient pas de ce navigateur"),
        ({"iss": "http://127.0.0.1:1/api/v2"}, "ne vient pas de ProConnect"),
        ({"iss": ""}, "ne vient pas de ProConnect"),
        ({"code": "code-invente"}, "ProConnect a refusé la demande"),
    ],
)
def test_a_forged_callback_is_refused_and_changes_nothing(client, provider, change, message):
    provider.add_account("paul")
    response = callback(client, provider, "paul", **change)
    assert response.status_code == 400
    assert message in text(response)
    assert count(User) == 0 and count(ProConnectIdentity) == 0


def test_a_replayed_code_is_refused(client, provider):
    provider.add_account("rose")
    url = provider.sign_in(start(client), "rose")
    with client.session_transaction() as session:
        kept = dict(session)
    assert client.get("/proconnect/retour", query_string=query(url)).status_code == 302
    with client.session_transaction() as session:  # the same browser state, the same code again
        session.clear()
        session.update(kept)
    response = client.get("/proconnect/retour", query_string=query(url))
    assert response.status_code == 400 and "ProConnect a refusé la demande" in text(response)


def test_a_wrong_nonce_is_refused(client, provider):
    provider.add_account("luc")
    url = provider.sign_in(start(client), "luc")
    with client.session_transaction() as session:
        for key, value in session.items():
            if key.startswith("_state_proconnect_"):
                value["data"]["nonce"] = "n" * 43
                session[key] = value
    response = client.get("/proconnect/retour", query_string=query(url))
    assert response.status_code == 400 and "jeton d'identité" in text(response)
    assert count(User) == 0


def test_an_expired_id_token_is_refused(client, provider):
    provider.add_account("yves")
    provider.faults(id_token="expired")
    response = callback(client, provider, "yves")
    assert response.status_code == 400 and "jeton d'identité" in text(response)


@pytest.mark.parametrize("fault", ["bad-signature", "unsigned", "json", "other-sub"])
def test_a_userinfo_that_cannot_be_verified_is_refused(client, provider, fault):
    provider.add_account("ines")
    provider.faults(userinfo=fault)
    response = callback(client, provider, "ines")
    assert response.status_code == 502
    assert "n'ont pas pu être vérifiées" in text(response)
    assert count(User) == 0
    with client.session_transaction() as session:
        assert "proconnect_pending" not in session


def test_a_missing_claim_is_named(client, provider):
    provider.add_account("noe")
    provider.faults(userinfo="missing-email")
    response = callback(client, provider, "noe")
    assert response.status_code == 502
    assert "ProConnect n'a pas transmis l'adresse électronique" in text(response)


def test_refused_consent_is_said_in_french(client, provider):
    provider.add_account("eve")
    url = provider.sign_in(start(client), "eve", action="abort")
    response = client.get("/proconnect/retour", query_string=query(url))
    assert response.status_code == 403
    assert "Vous avez refusé de transmettre vos informations" in text(response)


def test_logout_goes_to_the_end_session_endpoint_and_its_state_is_checked(
    client, provider, create_user
):
    provider.add_account("anne")
    callback(client, provider, "anne")
    client.submit("/proconnect/inscription", PROFILE)
    response = client.submit("/deconnexion")
    assert response.status_code == 302 and response.location.startswith(
        provider.issuer + "/session/end"
    )
    params = query(response.location)
    assert params["post_logout_redirect_uri"] == "http://cafeia.test/proconnect/deconnecte"
    assert params["id_token_hint"].count(".") == 2 and len(params["state"]) >= 32
    assert client.get("/proconnect/deconnecte", query_string={"state": "autre"}).status_code == 400
    back = client.get("/proconnect/deconnecte", query_string={"state": params["state"]})
    assert back.status_code == 302
    assert client.get("/mon-compte").status_code == 302


@pytest.fixture
def provider_down(app):
    app.config["PROCONNECT_DISCOVERY_URL"] = (
        "http://127.0.0.1:9/api/v2/.well-known/openid-configuration"
    )
    from proconnect import client as proconnect_client

    proconnect_client.register(app)


def test_a_provider_that_is_down_is_a_french_503(client, provider_down):
    response = client.submit("/proconnect/connexion")
    assert response.status_code == 503
    assert "ProConnect ne répond pas" in text(response)


def sign_up_with_proconnect(client, provider, login) -> User:
    provider.add_account(login)
    callback(client, provider, login)
    assert client.submit("/proconnect/inscription", PROFILE).status_code == 302
    return db.session.scalar(select(User).where(User.email == f"{login}@exemple.fr"))


def test_an_account_without_password_is_erased_with_its_link(client, provider):
    sign_up_with_proconnect(client, provider, "zoe")
    page = client.get("/mon-compte/supprimer").get_data(as_text=True)
    assert 'name="password"' not in page
    assert client.submit("/mon-compte/supprimer", {}).status_code == 422  # the box is still asked
    assert client.submit("/mon-compte/supprimer", {"confirm": "y"}).status_code == 302
    assert count(User) == 0 and count(ProConnectIdentity) == 0


def test_an_account_without_password_cannot_be_unlinked(client, provider):
    sign_up_with_proconnect(client, provider, "max")
    assert "Délier" not in client.get("/mon-compte").get_data(as_text=True)
    client.submit("/proconnect/delier")
    assert count(ProConnectIdentity) == 1


def test_a_signed_in_person_links_their_account_from_mon_compte(client, provider, login_as):
    user = login_as("formateur")
    provider.add_account("autre-adresse", email="pas-la-meme@exemple.fr")
    assert "fr-connect--pro" in client.get("/mon-compte").get_data(as_text=True)
    response = callback(client, provider, "autre-adresse")
    assert response.status_code == 302
    assert db.session.scalar(select(ProConnectIdentity.user_id)) == user.id


def test_an_account_without_password_is_linked_by_an_e_mailed_link(
    client, provider, create_user, mailbox
):
    owner = create_user(email="imported@exemple.fr")
    owner.password_hash = None  # as a cohort import leaves it
    db.session.commit()
    provider.add_account("imported")
    callback(client, provider, "imported")
    assert client.submit("/proconnect/relier/par-email").status_code == 302
    assert count(ProConnectIdentity) == 0  # nothing linked before the link is opened
    (message,) = mailbox
    link = re.search(r"http://cafeia\.test(/proconnect/relier/\S+)", message.get_content())[1]
    assert client.get(link).status_code == 302
    assert db.session.scalar(select(ProConnectIdentity.user_id)) == owner.id
    assert client.get(link).status_code == 409  # once only
    assert client.get(link[:-3] + "abc").status_code == 400


def test_passwords_tried_on_the_link_page_are_rate_limited(app, client, provider, create_user):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    create_user(email="sam@exemple.fr")
    provider.add_account("sam")
    callback(client, provider, "sam")
    statuses = [
        client.submit("/proconnect/relier", {"password": f"essai-{n}"}).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    assert client.submit("/proconnect/relier", {"password": PASSWORD}).status_code == 429
    assert count(ProConnectIdentity) == 0


class EntreprisesApi(BaseHTTPRequestHandler):
    """Answers as the API Recherche d'entreprises does (GET /search?q=SIRET), for one SIRET."""

    def do_GET(self):
        asked = parse_qs(urlsplit(self.path).query).get("q", [""])[0]
        place = {"siret": asked, "code_postal": "56300", "libelle_commune": "PONTIVY"}
        found = {
            "siren": asked[:9],
            "nom_complet": "MEDIATHEQUE DE PONTIVY",
            "matching_etablissements": [place],
        }
        body = json.dumps(
            {"results": [found] if asked == "13002526500013" else [], "total_results": 1}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def entreprises_api(app):
    server = HTTPServer(("127.0.0.1", free_port()), EntreprisesApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config["SIRET_LOOKUP_URL"] = f"http://127.0.0.1:{server.server_port}/search"
    yield
    server.shutdown()
    server.server_close()


def test_the_structure_is_proposed_from_the_siret(client, provider, entreprises_api):
    provider.add_account("lea")
    callback(client, provider, "lea")
    form = client.get("/proconnect/inscription").get_data(as_text=True)
    assert 'value="MEDIATHEQUE DE PONTIVY"' in form and 'value="Pontivy"' in form


def test_an_unknown_siret_or_a_lookup_down_leaves_the_field_to_the_person(app, client, provider):
    app.config["SIRET_LOOKUP_URL"] = f"http://127.0.0.1:{free_port()}/search"  # nobody listens
    provider.add_account("tom")
    callback(client, provider, "tom")
    page = client.get("/proconnect/inscription")
    assert page.status_code == 200
    assert re.search(r'<input[^>]*name="structure"[^>]*value=""', page.get_data(as_text=True))


def test_the_pages_pass_the_nu_html_checker(client, provider, create_user):
    """Every ProConnect page and panel, as the W3C's checker reads them."""
    require_checker()
    documents = {"connexion": client.get("/connexion"), "inscription": client.get("/inscription")}
    create_user(email="hugo@exemple.fr")
    provider.add_account("hugo")
    callback(client, provider, "hugo")
    documents["relier"] = client.get("/proconnect/relier")
    documents["relier refusé"] = client.submit(
        "/proconnect/relier", {"password": "faux-mot-de-passe"}
    )
    client.submit("/proconnect/relier", {"password": PASSWORD})
    documents["mon compte relié"] = client.get("/mon-compte")
    client.submit("/deconnexion")
    provider.add_account("ivy")
    callback(client, provider, "ivy")
    documents["compléter"] = client.get("/proconnect/inscription")
    documents["compléter refusé"] = client.submit("/proconnect/inscription", {})
    client.submit("/proconnect/inscription", PROFILE)
    documents["mon compte sans mot de passe"] = client.get("/mon-compte")
    documents["supprimer sans mot de passe"] = client.get("/mon-compte/supprimer")
    documents["erreur"] = client.get("/proconnect/retour", query_string={"error": "access_denied"})
    pages = {name: response.get_data(as_text=True) for name, response in documents.items()}
    assert html_errors(pages) == []


def test_the_profile_sent_from_two_tabs_makes_one_account(client, provider):
    provider.add_account("jade")
    callback(client, provider, "jade")
    with client.session_transaction() as session:
        kept = dict(session)
    assert client.submit("/proconnect/inscription", PROFILE).status_code == 302
    with client.session_transaction() as session:  # the second tab still holds the identity
        session.clear()
        session.update(kept)
    second = client.submit("/proconnect/inscription", PROFILE)
    assert second.status_code == 409 and "Un compte existe déjà" in text(second)
    assert count(User) == 1 and count(ProConnectIdentity) == 1


def test_the_profile_page_without_a_proconnect_answer_is_refused(client, provider):
    response = client.get("/proconnect/inscription")
    assert response.status_code == 400 and "la demande a expiré" in text(response)
    assert client.get("/proconnect/relier").status_code == 400


@pytest.mark.parametrize(
    "claims", [{"siret": "123"}, {"siret": "1300252650001X"}, {"email": "a" * 250 + "@exemple.fr"}]
)
def test_a_malformed_claim_is_refused_before_any_write(client, provider, claims):
    provider.add_account("odile", **claims)
    response = callback(client, provider, "odile")
    assert response.status_code == 502 and "inattendu" in text(response)
    assert count(User) == 0
