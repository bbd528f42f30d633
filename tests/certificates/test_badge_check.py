"""« Vérifier un badge numérique »: a person pastes or uploads a .jwt and reads what it is worth."""

import base64
import io
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import status
from certificates.forms import BADGE_MAX_BYTES
from lms.formatting import date_longue

URL = "/badges/verification"


def check(client, **data):
    return client.submit(URL, data)


def page_of(response) -> str:
    return response.get_data(as_text=True)


def tampered(token: str) -> str:  # noqa: F811
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Dominique Faussaire"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


def test_the_page_is_public_and_explains_what_to_do(client):
    response = client.get(URL)
    page = page_of(response)
    assert response.status_code == 200
    assert "<h1>Vérifier un badge numérique</h1>" in page
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page


def test_a_pasted_badge_is_authentic_with_its_holder_and_date(client, token, holder, auth):  # noqa: F811
    auth.logout()
    response = check(client, token=token)
    page = page_of(response)
    assert response.status_code == 200
    assert "Badge authentique et valable" in page and holder.full_name in page
    issued = date_longue(status.certificate_of(holder).issued_at)
    assert f"<dd>{issued}</dd>" in page and "Animateur·rice Café IA" in page
    assert holder.email not in page  # the badge names a person, nothing more


def test_an_uploaded_badge_file_is_checked_too(client, token, holder):  # noqa: F811
    upload = (io.BytesIO(token.encode() + b"\n"), "badge-animateur-cafe-ia.jwt")
    response = check(client, file=upload)
    assert response.status_code == 200 and "Badge authentique" in page_of(response)
    assert holder.full_name in page_of(response)


def test_a_revoked_badge_says_so_and_a_restored_one_is_valid_again(
    client,
    token,  # noqa: F811
    holder,  # noqa: F811
    create_user,
):
    admin = create_user(role="admin")
    status.revoke(holder, admin, "Motif de test")
    page = page_of(check(client, token=token))
    revoked_on = date_longue(status.certificate_of(holder).revoked_at)
    assert "Badge révoqué" in page and f"révoqué le {revoked_on}" in page
    assert "Badge authentique et valable" not in page and "Motif de test" not in page
    status.restore(holder, admin, "Erreur")
    assert "Badge authentique et valable" in page_of(check(client, token=token))


def test_a_tampered_badge_is_not_authentic(client, token, holder):  # noqa: F811
    response = check(client, token=tampered(token))
    page = page_of(response)
    assert response.status_code == 422
    assert "Badge non authentique" in page and "La signature de ce badge numérique" in page
    assert holder.full_name not in page and "Dominique Faussaire" not in page


def test_a_former_ed25519_badge_is_authentic_when_the_old_key_is_configured(
    app,
    client,
    token,  # noqa: F811
    holder,  # noqa: F811
):
    old = Ed25519PrivateKey.generate()
    header = jwt.get_unverified_header(token)
    payload = jwt.decode(token, options={"verify_signature": False})
    kid = header["kid"].replace("/cle-2", "#cle-1")
    former = jwt.encode(payload, old, algorithm="EdDSA", headers={"kid": kid, "typ": "JWT"})
    assert "non authentique" in page_of(check(client, token=former))  # key not configured
    app.config["BADGE_PREVIOUS_KEY"] = old.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    assert "Badge authentique et valable" in page_of(check(client, token=former))
    profile = client.get("/badges/emetteur").json
    assert [m["id"].rsplit("/", 1)[-1] for m in profile["verificationMethod"]] == [
        "cle-2",
        "emetteur#cle-1",
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Collez le contenu du badge ou choisissez son fichier."),
        ({"token": "   \n "}, "Collez le contenu du badge ou choisissez son fichier."),
        ({"token": "pas-un-jeton"}, "ce n&#39;est pas un jeton signé valide"),
        ({"token": "a.b.c"}, "ce n&#39;est pas un jeton signé valide"),
        ({"token": "e30.e30."}, "algorithme de signature qui n&#39;est pas accepté"),
        ({"token": "x" * (BADGE_MAX_BYTES + 1)}, "trop long pour être un badge"),
        (
            {"file": (io.BytesIO(b"x" * (BADGE_MAX_BYTES + 1)), "gros.jwt")},
            "trop lourd pour être un badge",
        ),
        ({"file": (io.BytesIO(b"\xff\xfe\x00\x89PNG"), "image.png")}, "pas fait de texte"),
        ({"file": (io.BytesIO(b""), "vide.jwt")}, "pas un jeton signé valide"),
        ({"token": "eyJ\x01abc"}, "caractères illisibles"),
    ],
    ids=[
        "nothing",
        "spaces",
        "text",
        "dots",
        "no-alg",
        "long",
        "heavy",
        "binary",
        "empty",
        "control",
    ],
)
def test_bad_input_gets_a_french_message_and_a_422(client, data, message):
    response = check(client, **data)
    assert response.status_code == 422, page_of(response)[:500]
    assert message in page_of(response)
    assert "Badge authentique" not in page_of(response)


def test_a_nul_character_is_refused_before_the_page(client):
    response = check(client, token="eyJ\x00abc")
    assert response.status_code == 400 and "caractère nul" in page_of(response)


def test_a_token_signed_with_hmac_or_none_is_not_authentic(client, token):  # noqa: F811
    header, payload, _ = token.split(".")
    for alg in ("none", "HS256"):
        forged_header = base64.urlsafe_b64encode(json.dumps({"alg": alg}).encode()).decode()
        response = check(client, token=f"{forged_header.rstrip('=')}.{payload}.")
        assert response.status_code == 422 and "algorithme" in page_of(response)


def test_the_form_needs_its_csrf_token(client, token):  # noqa: F811
    assert client.post(URL, data={"token": token}).status_code == 400


def test_checks_are_rate_limited(app, client):
    limit = int(app.config["VERIFY_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        check(client, token="pas-un-jeton")
    response = check(client, token="pas-un-jeton")
    assert response.status_code == 429 and "Trop de tentatives" in page_of(response)
    assert client.get(URL).status_code == 200  # reading the page is not counted


def test_the_status_page_says_what_the_badge_file_is_for(client, holder):  # noqa: F811
    page = page_of(client.get("/mon-statut"))
    assert "fichier <code>.jwt</code> signé" in page and "Open Badges 3.0" in page
    assert "portefeuille numérique" in page and "CV" in page
    assert 'href="/badges/verification"' in page and 'href="/badges/animateur-cafe-ia"' in page


def test_the_status_email_says_what_the_badge_file_is_for(app, holder, mailbox):  # noqa: F811
    from certificates.events import announce

    with app.test_request_context():
        announce(holder, status.certificate_of(holder))
    (mail,) = mailbox
    body = " ".join(mail.get_content().split())
    assert "C'est un fichier .jwt signé" in body and "Open Badges 3.0" in body
    assert f"{app.config['BASE_URL']}/badges/verification" in body
