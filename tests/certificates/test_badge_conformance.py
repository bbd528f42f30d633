"""The badge as other people's software reads it: 1EdTech's OB 3.0 JSON Schemas (jsonschema),
the signature checked by joserfc with the key its kid dereferences to, the revocation list read
the way 1EdTech's validator reads it, and the achievement id that resolves."""

import base64
import json
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import RSAKey
from jsonschema import Draft201909Validator, FormatChecker

from certificates import status

SCHEMAS = Path(__file__).parent / "schemas"
BASE = "http://cafeia.test"


def schema_validator(name: str) -> Draft201909Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=FormatChecker())


CREDENTIAL_SCHEMA = schema_validator("achievementcredential.json")
PROFILE_SCHEMA = schema_validator("profile.json")


def errors(validator, document) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def decode_segment(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def path_of(url: str) -> str:
    """The test client's path for one of the platform's own absolute URLs."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE and not parts.fragment, url
    return parts.path


def fetch_jwk(client, token: str) -> dict:
    """What 1EdTech's validator does: GET the kid URL and read the body as a JWK."""
    kid = decode_segment(token.split(".")[0])["kid"]
    response = client.get(path_of(kid))
    assert response.status_code == 200 and response.mimetype == "application/jwk+json"
    return response.json


# --- 1EdTech's JSON Schemas ---------------------------------------------------------------------


def test_the_issued_badge_validates_against_the_achievement_credential_schema(token):
    payload = decode_segment(token.split(".")[1])
    assert errors(CREDENTIAL_SCHEMA, payload) == []


def test_the_schema_validator_does_catch_a_broken_credential(token):
    payload = decode_segment(token.split(".")[1])
    broken = {key: value for key, value in payload.items() if key != "validFrom"}
    broken["credentialSubject"]["achievement"].pop("criteria")
    found = errors(CREDENTIAL_SCHEMA, broken)
    assert any("validFrom" in e for e in found) and any("criteria" in e for e in found)


def test_the_jose_header_and_claims_are_those_ob_3_requires(token):
    header_part, payload_part, _ = token.split(".")
    header, payload = decode_segment(header_part), decode_segment(payload_part)
    # § 8.2.3: RS256 at least (1EdTech's validator: RS256 or ES256), typ JWT, a kid or a jwk.
    assert header == {"alg": "RS256", "typ": "JWT", "kid": f"{BASE}/badges/emetteur/cle-2"}
    # § 8.2.4.1: the registered claims mirror the credential they stand for.
    assert payload["iss"] == payload["issuer"]["id"] == f"{BASE}/badges/emetteur"
    assert payload["jti"] == payload["id"]
    assert payload["sub"] == payload["credentialSubject"]["id"]
    assert payload["nbf"] == int(datetime.fromisoformat(payload["validFrom"]).timestamp())
    assert "exp" not in payload and "validUntil" not in payload


def test_the_issuer_profile_validates_against_the_profile_schema(client):
    profile = client.get("/badges/emetteur").json
    assert errors(PROFILE_SCHEMA, profile) == []
    assert profile["id"] == f"{BASE}/badges/emetteur"


# --- the signature, checked by joserfc with the key the kid dereferences to ---------------------


def test_the_kid_dereferences_to_the_public_jwk_alone(client, token):
    jwk = fetch_jwk(client, token)
    assert jwk["kty"] == "RSA" and jwk["kid"] == decode_segment(token.split(".")[0])["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & jwk.keys()  # nothing private
    # The issuer profile, still served at the issuer id, lists the same key under that id.
    profile = client.get("/badges/emetteur").json
    [method] = [m for m in profile["verificationMethod"] if m["id"] == jwk["kid"]]
    assert method["publicKeyJwk"] == {k: v for k, v in jwk.items() if k != "kid"}


def test_joserfc_verifies_the_badge_with_the_fetched_key(client, token):
    key = RSAKey.import_key(fetch_jwk(client, token))
    decoded = jwt.decode(token, key, algorithms=["RS256"])
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": f"{BASE}/badges/emetteur"},
        jti={"essential": True},
        sub={"essential": True},
        nbf={"essential": True},
    )
    registry.validate(decoded.claims)
    assert decoded.claims["credentialSubject"]["achievement"]["name"] == "Animateur·rice Café IA"


def test_joserfc_refuses_the_badge_once_tampered(client, token, holder):
    key = RSAKey.import_key(fetch_jwk(client, token))
    header, payload, signature = token.split(".")
    claims = decode_segment(payload)
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Dominique Faussaire"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(BadSignatureError):
        jwt.decode(f"{header}.{forged}.{signature}", key, algorithms=["RS256"])


# --- revocation, as 1EdTech's RevocationListProbe reads it --------------------------------------


def revoked_for_1edtech(client, token: str) -> bool:
    """The probe's rule: GET credentialStatus.id with Accept: application/json; the credential is
    revoked if its id is in « revokedCredential » with « revoked » true or absent."""
    credential = decode_segment(token.split(".")[1])
    entry = credential["credentialStatus"]
    assert entry["type"] == "1EdTechRevocationList"
    response = client.get(path_of(entry["id"]), headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    return any(
        item["id"] == credential["id"] and item.get("revoked", True) is True
        for item in response.json["revokedCredential"]
    )


def test_revocation_shows_in_the_list_and_restoring_clears_it(client, token, holder, create_user):
    admin = create_user(role="admin")
    assert revoked_for_1edtech(client, token) is False
    status.revoke(holder, admin, "Motif de test")
    assert revoked_for_1edtech(client, token) is True
    status.restore(holder, admin, "Erreur de saisie")
    assert revoked_for_1edtech(client, token) is False


# --- the achievement id resolves ----------------------------------------------------------------


def test_the_achievement_id_is_a_page_a_person_can_read(client, token, auth):
    achievement_id = decode_segment(token.split(".")[1])["credentialSubject"]["achievement"]["id"]
    auth.logout()
    response = client.get(path_of(achievement_id))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<h1>Animateur·rice Café IA</h1>" in page
    assert 'id="criteres"' in page and "80 %" in page and "quatre modules" in page
    assert "Ce que le badge atteste" in page and 'href="/badges/verification"' in page
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("accept", ["application/json", "application/ld+json"])
def test_the_achievement_id_answers_json_when_asked(client, token, accept):
    credential = decode_segment(token.split(".")[1])
    issued = credential["credentialSubject"]["achievement"]
    response = client.get(path_of(issued["id"]), headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    served = response.json
    assert served.pop("@context")[0] == "https://www.w3.org/ns/credentials/v2"
    assert served == issued  # the same Achievement as in the badge
    # And it is an Achievement by 1EdTech's own definition.
    definitions = json.loads((SCHEMAS / "achievementcredential.json").read_text())
    achievement_schema = {**definitions, "$ref": "#/$defs/Achievement"}
    achievement_schema.pop("required")
    achievement_schema.pop("properties")
    assert errors(Draft201909Validator(achievement_schema), served) == []


def test_a_browser_asking_for_anything_gets_the_page(client):
    response = client.get("/badges/animateur-cafe-ia", headers={"Accept": "*/*"})
    assert response.status_code == 200 and response.mimetype == "text/html"


def test_a_verifier_in_a_browser_on_another_site_may_read_the_public_documents(client, token):
    credential = decode_segment(token.split(".")[1])
    documents = [
        "/badges/emetteur",
        path_of(decode_segment(token.split(".")[0])["kid"]),
        path_of(credential["credentialStatus"]["id"]),
    ]
    for path in documents:
        assert client.get(path).headers["Access-Control-Allow-Origin"] == "*", path
    json_page = client.get("/badges/animateur-cafe-ia", headers={"Accept": "application/json"})
    assert json_page.headers["Access-Control-Allow-Origin"] == "*"
    # The page people read, and the badge download, stay same-origin.
    assert "Access-Control-Allow-Origin" not in client.get("/badges/animateur-cafe-ia").headers
    assert "Access-Control-Allow-Origin" not in client.get("/mon-statut/badge.jwt").headers
