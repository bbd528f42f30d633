"""The documents of a certified person, and the public checks of them."""

import base64
import io
import json

import pytest
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import RSAKey
from pypdf import PdfReader

from certificates import status


def independent_check(token: str, jwk: dict) -> bool:
    """Verify the JWS with joserfc, from the key the issuer publishes."""
    try:
        jws.deserialize_compact(token, RSAKey.import_key(jwk), algorithms=["RS256"])
    except BadSignatureError:
        return False
    return True


def test_the_pdf_holds_the_code_and_the_verification_url(client, certified):  # noqa: F811
    code = status.certificate_of(certified).code
    response = client.get("/mon-statut/attestation.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    text = " ".join(page.extract_text().split())
    assert code in text and certified.full_name in text
    url = f"http://cafeia.test/verifier/{code}"
    # pypdf reads a space into the URL where two proportional glyphs sit apart (« Q2Q J »):
    # the link's target is exact, and the words drawn are compared without spaces.
    links = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])]
    assert url in links
    assert url in text.replace(" ", "")


def test_the_badge_verifies_and_fails_once_tampered(client, certified):  # noqa: F811
    token = client.get("/mon-statut/badge.jwt").get_data(as_text=True)
    jwk = client.get("/badges/emetteur/cle-2").json
    assert independent_check(token, jwk)
    answer = client.post("/badges/verifier", data=token)
    assert answer.status_code == 200 and answer.json["valide"] is True
    subject = answer.json["credential"]["credentialSubject"]
    assert subject["achievement"]["name"] == "Animateur·rice Café IA"
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["name"] = "Quelqu'un d'autre"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    forged = f"{header}.{forged_payload}.{signature}"
    assert not independent_check(forged, jwk)
    refused = client.post("/badges/verifier", data=forged)
    assert refused.status_code == 400 and refused.json["valide"] is False
    assert client.post("/badges/verifier", data="pas un jeton").status_code == 400


def test_revocation_shows_in_the_credential_status(client, auth, certified, create_user):  # noqa: F811
    token = client.get("/mon-statut/badge.jwt").get_data(as_text=True)
    code = status.certificate_of(certified).code
    status.revoke(certified, create_user(role="admin"), "Motif de test")
    revocations = client.get(f"/badges/statut/{code}").json["revokedCredential"]
    assert revocations == [
        {
            "id": f"http://cafeia.test/verifier/{code}",
            "revoked": True,
            "revocationReason": "Motif de test",
        }
    ]
    answer = client.post("/badges/verifier", data=token).json
    assert answer["valide"] is False and answer["revoque"] is True
    assert client.get("/mon-statut/attestation.pdf").status_code == 404  # no longer delivered
    assert client.get("/mon-statut/badge.jwt").status_code == 404


def test_verification_page_shows_only_name_training_and_date(client, certified, auth):  # noqa: F811
    code = status.certificate_of(certified).code
    auth.logout()
    page = client.get(f"/verifier/{code}").get_data(as_text=True)
    assert "Attestation valide" in page and certified.full_name in page
    assert certified.email not in page and certified.commune not in page
    unknown = client.get("/verifier/code-inconnu")
    assert unknown.status_code == 404 and "Attestation inconnue" in unknown.get_data(as_text=True)
    form = client.get(f"/verifier?code={code}")
    assert form.status_code == 302 and form.location.endswith(f"/verifier/{code}")
    assert client.get("/verifier?code=").status_code == 422


def test_verification_lookups_are_rate_limited(app, client):
    limit = int(app.config["VERIFY_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        client.get("/verifier/essai")
    response = client.get("/verifier/essai")
    assert response.status_code == 429 and "Trop de tentatives" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/mon-statut/attestation.pdf", "/mon-statut/badge.jwt"])
def test_documents_need_a_valid_status(client, login_as, url):
    login_as()
    assert client.get(url).status_code == 404
