"""The Open Badges 3.0 credential: its shape, its signature checked two ways, and every forgery."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates.badge import (
    InvalidCredential,
    generate_private_key_pem,
    issue_credential,
    issuer_id,
    issuer_profile,
    legacy_jwk,
    load_legacy_key,
    load_private_key,
    public_jwk,
    verify_credential,
)

BASE = "https://cafe-ia.example.fr"
CREDENTIAL_ID = "urn:uuid:0b9d7c1e-4f5a-4e8b-9a51-2f0c6d3e7a10"
SUBJECT_ID = "urn:uuid:6a1f2e3d-8c7b-4a59-b0e1-d2c3b4a59687"
STATUS_URL = f"{BASE}/badges/revocations"
ISSUED_AT = datetime(2025, 3, 14, 9, 30, 15, 654321, tzinfo=UTC)
KID = f"{BASE}/badges/emetteur/cle-2"
LEGACY_KID = f"{BASE}/badges/emetteur#cle-1"


@pytest.fixture(scope="module")
def key():
    return load_private_key(generate_private_key_pem())


@pytest.fixture(scope="module")
def other_key():
    return load_private_key(generate_private_key_pem())


@pytest.fixture(scope="module")
def legacy_key():
    """The Ed25519 key the platform signed with before RS256."""
    return Ed25519PrivateKey.generate()


def pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def issue(key, **changes):
    arguments = dict(
        private_key=key,
        base_url=BASE,
        credential_id=CREDENTIAL_ID,
        subject_id=SUBJECT_ID,
        holder_name="Camille Rousseau",
        issued_at=ISSUED_AT,
        status_url=STATUS_URL,
    )
    return issue_credential(**arguments | changes)


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def segments(token):
    header, payload, signature = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload)), signature


def signature_holds(token: str, profile: dict) -> bool:
    """Checks the JWS without PyJWT: RFC 7515 § 5.2 and RFC 7518 § 3.3 (RSASSA-PKCS1-v1_5 with
    SHA-256) by hand, with the key the profile publishes under the token's kid."""
    header_part, payload_part, signature_part = token.split(".")
    header = json.loads(b64url_decode(header_part))
    method = next(m for m in profile["verificationMethod"] if m["id"] == header["kid"])
    jwk = method["publicKeyJwk"]
    assert (header["alg"], jwk["kty"]) == ("RS256", "RSA")
    numbers = rsa.RSAPublicNumbers(
        int.from_bytes(b64url_decode(jwk["e"])), int.from_bytes(b64url_decode(jwk["n"]))
    )
    try:
        numbers.public_key().verify(
            b64url_decode(signature_part),
            f"{header_part}.{payload_part}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        return False
    return True


def forge(key, header: dict, payload: dict, algorithm: str = "RS256") -> str:
    """A token signed with a real key but with whatever header and claims a test wants."""
    headers = {name: value for name, value in header.items() if name != "alg"}
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


def unsigned(header: dict, token: str, sign) -> str:
    """The token's payload under another header, signed by `sign` (or not signed at all)."""
    header_part = b64url_encode(json.dumps(header).encode())
    signing_input = f"{header_part}.{token.split('.')[1]}"
    return f"{signing_input}.{sign(signing_input.encode())}"


# The round trip and the shape of the credential


def test_round_trip_gives_back_the_credential(key):
    credential = verify_credential(issue(key), key.public_key(), issuer=issuer_id(BASE))

    assert credential["id"] == CREDENTIAL_ID
    assert credential["credentialSubject"]["id"] == SUBJECT_ID
    [identity] = credential["credentialSubject"]["identifier"]
    assert identity == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Camille Rousseau",
    }
    # The JWT claims are the envelope, not part of the credential handed back.
    assert not {"iss", "jti", "sub", "nbf"} & credential.keys()


def test_the_payload_is_the_open_badges_credential_itself(key):
    header, payload, _ = segments(issue(key))

    assert header == {"alg": "RS256", "kid": KID, "typ": "JWT"}
    assert payload["@context"][:2] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "vc" not in payload  # the VCDM 1.1 wrapper is gone in OB 3.0 Final
    assert payload["issuer"] == {
        "id": f"{BASE}/badges/emetteur",
        "type": ["Profile"],
        "name": "Café IA — Formation des animateurs",
        "url": BASE,
    }
    assert payload["validFrom"] == "2025-03-14T09:30:15Z"
    assert payload["credentialStatus"] == {"id": STATUS_URL, "type": "1EdTechRevocationList"}
    subject = payload["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert achievement["id"] == f"{BASE}/badges/animateur-cafe-ia"
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "Animateur·rice Café IA"
    assert achievement["criteria"]["id"] == f"{BASE}/badges/animateur-cafe-ia#criteres"
    assert "Café IA" in achievement["description"]
    narrative = achievement["criteria"]["narrative"]
    assert "quatre modules" in narrative and "80 %" in narrative and "4 sur 5" in narrative


def test_the_registered_claims_mirror_the_credential(key):
    _, payload, _ = segments(issue(key))

    assert payload["iss"] == payload["issuer"]["id"]
    assert payload["jti"] == payload["id"] == CREDENTIAL_ID
    assert payload["sub"] == payload["credentialSubject"]["id"] == SUBJECT_ID
    # nbf is validFrom in whole seconds; there is no validUntil, hence no exp.
    assert payload["nbf"] == int(ISSUED_AT.replace(microsecond=0).timestamp())
    assert "exp" not in payload


def test_a_naive_issue_date_is_taken_as_utc(key):
    # SQLite gives timestamps back without their zone (lms.models.as_utc).
    naive = ISSUED_AT.replace(tzinfo=None)
    assert segments(issue(key, issued_at=naive))[1]["validFrom"] == "2025-03-14T09:30:15Z"


def test_the_issuer_profile_publishes_the_public_key_under_the_kid(key):
    profile = issuer_profile(BASE + "/", key)

    assert profile["id"] == f"{BASE}/badges/emetteur"
    assert profile["type"] == ["Profile"]
    assert profile["name"] == "Café IA — Formation des animateurs"
    assert profile["url"] == BASE
    assert profile["description"]
    [method] = profile["verificationMethod"]
    assert method["id"] == KID == segments(issue(key))[0]["kid"]
    assert method["type"] == "JsonWebKey"
    assert method["controller"] == profile["id"]
    assert profile["assertionMethod"] == [KID]
    assert method["publicKeyJwk"] == public_jwk(key)
    assert "d" not in method["publicKeyJwk"]


def test_public_jwk_is_the_modulus_and_exponent_only(key):
    numbers = key.public_key().public_numbers()
    jwk = public_jwk(key)
    assert jwk.keys() == {"kty", "n", "e", "alg", "use"}
    assert (jwk["kty"], jwk["alg"], jwk["use"]) == ("RSA", "RS256", "sig")
    assert int.from_bytes(b64url_decode(jwk["n"])) == numbers.n
    assert b64url_decode(jwk["e"]) == b"\x01\x00\x01"  # 65537, no leading zero (RFC 7518 § 6.3.1)
    assert public_jwk(key.public_key(), kid=KID)["kid"] == KID


def test_a_private_key_survives_its_pem_even_with_escaped_line_breaks(key):
    text = generate_private_key_pem()
    assert text.startswith("-----BEGIN PRIVATE KEY-----")
    loaded = load_private_key(text.replace("\n", "\\n"))
    assert loaded.key_size == 3072
    assert public_jwk(loaded) == public_jwk(load_private_key(text))


@pytest.mark.parametrize(
    "other",
    [
        lambda: ec.generate_private_key(ec.SECP256R1()),
        Ed25519PrivateKey.generate,
    ],
    ids=["ec", "ed25519"],
)
def test_a_signing_key_that_is_not_rsa_is_refused_and_says_where_the_old_one_goes(other):
    with pytest.raises(ValueError, match="RSA.*BADGE_PREVIOUS_KEY"):
        load_private_key(pem(other()))


def test_a_short_rsa_key_is_refused():
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(ValueError, match="2048 bits"):
        load_private_key(pem(short))


@pytest.mark.parametrize(
    "text", ["", "clé", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"]
)
def test_an_unreadable_pem_is_refused_in_french(text):
    with pytest.raises(ValueError, match="PEM lisible"):
        load_private_key(text)
    with pytest.raises(ValueError, match="PEM lisible"):
        load_legacy_key(text)


def test_the_former_key_is_read_from_its_private_or_public_pem(legacy_key):
    public = legacy_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    expected = legacy_jwk(legacy_key.public_key())
    assert legacy_jwk(load_legacy_key(pem(legacy_key))) == expected
    assert legacy_jwk(load_legacy_key(public.decode())) == expected
    with pytest.raises(ValueError, match="Ed25519"):
        load_legacy_key(generate_private_key_pem())


# The signature, checked without PyJWT


def test_the_signature_holds_with_the_key_from_the_profile(key):
    assert signature_holds(issue(key), issuer_profile(BASE, key))


# Badges signed before RS256, with the Ed25519 key


def legacy_badge(key, legacy_key):
    """A badge as the platform issued them before: same credential, EdDSA, kid « #cle-1 »."""
    header, payload, _ = segments(issue(key))
    return forge(legacy_key, header | {"kid": LEGACY_KID}, payload, algorithm="EdDSA")


def test_a_former_ed25519_badge_still_verifies_with_the_former_key(key, legacy_key):
    token = legacy_badge(key, legacy_key)
    credential = verify_credential(
        token, key, issuer=issuer_id(BASE), legacy_key=legacy_key.public_key()
    )
    assert credential["id"] == CREDENTIAL_ID


def test_the_profile_keeps_publishing_the_former_key(key, legacy_key):
    profile = issuer_profile(BASE, key, legacy_key.public_key())
    assert [m["id"] for m in profile["verificationMethod"]] == [KID, LEGACY_KID]
    assert profile["assertionMethod"] == [KID, LEGACY_KID]
    assert profile["verificationMethod"][1]["publicKeyJwk"] == legacy_jwk(legacy_key.public_key())


def test_without_the_former_key_an_ed25519_badge_is_refused(key, legacy_key):
    with pytest.raises(InvalidCredential, match="algorithme"):
        verify_credential(legacy_badge(key, legacy_key), key)


def test_an_ed25519_badge_signed_by_another_key_is_refused(key, legacy_key):
    forged = legacy_badge(key, Ed25519PrivateKey.generate())
    with pytest.raises(InvalidCredential, match="signature"):
        verify_credential(forged, key, legacy_key=legacy_key.public_key())


def test_keys_and_algorithms_cannot_be_swapped(key, legacy_key):
    header, payload, _ = segments(issue(key))
    rsa_under_old_kid = forge(key, header | {"kid": LEGACY_KID}, payload)
    eddsa_under_new_kid = forge(legacy_key, header, payload, algorithm="EdDSA")
    for token in (rsa_under_old_kid, eddsa_under_new_kid):
        with pytest.raises(InvalidCredential, match="clé de signature"):
            verify_credential(token, key, legacy_key=legacy_key.public_key())


def test_one_changed_character_of_the_payload_breaks_both_checks(key):
    token = issue(key)
    header, payload, signature = token.split(".")
    middle = len(payload) // 2
    changed = "B" if payload[middle] == "A" else "A"
    tampered = f"{header}.{payload[:middle]}{changed}{payload[middle + 1 :]}.{signature}"

    assert not signature_holds(tampered, issuer_profile(BASE, key))
    with pytest.raises(InvalidCredential, match="signature"):
        verify_credential(tampered, key.public_key())


def test_a_rewritten_payload_under_the_old_signature_breaks_both_checks(key):
    token = issue(key)
    header, _, signature = token.split(".")
    payload = segments(token)[1]
    payload["credentialSubject"]["identifier"][0]["identityHash"] = "Dominique Faussaire"
    tampered = f"{header}.{b64url_encode(json.dumps(payload).encode())}.{signature}"

    assert not signature_holds(tampered, issuer_profile(BASE, key))
    with pytest.raises(InvalidCredential, match="signature"):
        verify_credential(tampered, key.public_key())


def test_a_badge_signed_with_another_key_fails_both_checks(key, other_key):
    forged = issue(other_key)  # same URLs and kid, wrong key

    assert not signature_holds(forged, issuer_profile(BASE, key))
    with pytest.raises(InvalidCredential, match="signature"):
        verify_credential(forged, key.public_key())


# Tokens that must be refused before any key is used


def test_an_unsigned_token_is_refused(key):
    token = unsigned({"alg": "none", "typ": "JWT", "kid": KID}, issue(key), lambda _: "")
    with pytest.raises(InvalidCredential, match="algorithme"):
        verify_credential(token, key.public_key())


@pytest.mark.parametrize("secret_kind", ["der", "pem", "jwk"])
def test_an_hmac_token_made_from_the_public_key_is_refused(key, secret_kind):
    # The classic confusion: use the published public key as an HS256 secret.
    public = key.public_key()
    info = serialization.PublicFormat.SubjectPublicKeyInfo
    secret = {
        "der": public.public_bytes(serialization.Encoding.DER, info),
        "pem": public.public_bytes(serialization.Encoding.PEM, info),
        "jwk": json.dumps(public_jwk(key)).encode(),
    }[secret_kind]

    def sign(data):
        return b64url_encode(hmac.new(secret, data, hashlib.sha256).digest())

    token = unsigned({"alg": "HS256", "typ": "JWT", "kid": KID}, issue(key), sign)
    with pytest.raises(InvalidCredential, match="algorithme"):
        verify_credential(token, public)


@pytest.mark.parametrize("token", ["", "pas-un-jeton", "a.b", "a.b.c", "e30.e30.", "...."])
def test_a_malformed_token_is_refused_with_a_french_message(key, token):
    with pytest.raises(InvalidCredential, match="illisible|algorithme"):
        verify_credential(token, key.public_key())


# Dates, issuer and key


def test_a_badge_not_yet_valid_is_refused(key):
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(InvalidCredential, match="pas encore valide"):
        verify_credential(issue(key, issued_at=tomorrow), key.public_key())


def test_an_expired_badge_is_refused(key):
    header, payload, _ = segments(issue(key))
    yesterday = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    payload |= {"validUntil": yesterday.isoformat(), "exp": int(yesterday.timestamp())}

    with pytest.raises(InvalidCredential, match="expiré"):
        verify_credential(forge(key, header, payload), key.public_key())


def test_a_badge_from_another_issuer_is_refused(key):
    header, payload, _ = segments(issue(key))
    elsewhere = "https://faux.example.org/badges/emetteur"
    payload["issuer"]["id"] = payload["iss"] = elsewhere
    token = forge(key, header | {"kid": f"{elsewhere}/cle-2"}, payload)

    with pytest.raises(InvalidCredential, match="pas été émis par Café IA"):
        verify_credential(token, key.public_key(), issuer=issuer_id(BASE))


def test_a_kid_that_is_not_the_issuers_key_is_refused(key):
    header, payload, _ = segments(issue(key))
    token = forge(key, header | {"kid": "https://faux.example.org/cles#1"}, payload)

    with pytest.raises(InvalidCredential, match="clé de signature"):
        verify_credential(token, key.public_key())


@pytest.mark.parametrize(
    "claim, value",
    [
        ("sub", "urn:uuid:00000000-0000-0000-0000-000000000000"),
        ("jti", "urn:uuid:11111111-1111-1111-1111-111111111111"),
        ("nbf", int(ISSUED_AT.timestamp()) - 3600),
    ],
)
def test_claims_that_contradict_the_credential_are_refused(key, claim, value):
    header, payload, _ = segments(issue(key))
    with pytest.raises(InvalidCredential, match="incohérent"):
        verify_credential(forge(key, header, payload | {claim: value}), key.public_key())


def test_a_missing_required_claim_is_refused(key):
    header, payload, _ = segments(issue(key))
    del payload["jti"]
    with pytest.raises(InvalidCredential, match="incomplet"):
        verify_credential(forge(key, header, payload), key.public_key())


def test_invalid_credential_is_a_value_error_for_callers():
    assert issubclass(InvalidCredential, ValueError)


# Production checks the keys when it starts


@pytest.fixture
def production(monkeypatch, key):
    for name, value in {
        "CAFEIA_ENV": "production",
        "SECRET_KEY": "x" * 32,
        "MAIL_SERVER": "smtp.exemple.fr",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "BADGE_SIGNING_KEY": pem(key),
    }.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_production_starts_with_an_rsa_key_and_the_former_one(production, legacy_key):
    from cafeia import create_app

    production.setenv("BADGE_PREVIOUS_KEY", pem(legacy_key))
    assert create_app().config["BADGE_PREVIOUS_KEY"] == pem(legacy_key)


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("BADGE_SIGNING_KEY", "ed25519", "doit être une clé RSA.*BADGE_PREVIOUS_KEY"),
        ("BADGE_SIGNING_KEY", "pas une clé", "PEM lisible"),
        ("BADGE_PREVIOUS_KEY", "rsa", "BADGE_PREVIOUS_KEY.*Ed25519"),
    ],
)
def test_production_refuses_to_start_on_a_key_that_cannot_serve(
    production, legacy_key, other_key, name, value, message
):
    from cafeia import create_app

    values = {"ed25519": pem(legacy_key), "rsa": pem(other_key)}
    production.setenv(name, values.get(value, value))
    with pytest.raises(RuntimeError, match=message):
        create_app()
