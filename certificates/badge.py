"""The Open Badges 3.0 credential « Animateur·rice Café IA », signed with RS256 as a VC-JWT.

Spec: 1EdTech Open Badges 3.0, Final (https://www.imsglobal.org/spec/ob/v3p0/), § 8.2 « JSON Web
Token Proof Format » (#jwt-proof). In this edition, built on the VC Data Model 2.0, the JWT payload
IS the OpenBadgeCredential, with the registered claims iss, jti, sub, nbf (and exp when there is a
validUntil) added beside its members (§ 8.2.4.1, « JWT Payload Format »). The `vc` wrapper claim
belongs to the older VCDM 1.1 form, which verifiers still read but issuers no longer produce.

§ 8.2.3: the algorithm « MUST be RS256 as a minimum », and 1EdTech's own validator accepts only
RS256 and ES256; the `kid` is a URL that dereferences to the public key as a JWK. Badges signed
before with Ed25519 (alg EdDSA, kid « …/badges/emetteur#cle-1 ») stay verifiable here when the old
key is given (BADGE_PREVIOUS_KEY), and the profile keeps publishing it.
"""

from base64 import urlsafe_b64encode
from datetime import datetime
from functools import lru_cache

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import (
    RSAPrivateKey,
    RSAPublicKey,
    generate_private_key,
)

from lms.models import as_utc

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Defines the 1EdTechRevocationList term; the spec's own sample credential lists it third.
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
# W3C Controlled Identifiers 1.0: the terms verificationMethod, JsonWebKey and publicKeyJwk.
CID_CONTEXT = "https://www.w3.org/ns/cid/v1"

ALGORITHM = "RS256"  # OB 3.0 § 8.2.3 (#joseheader): « MUST be RS256 as a minimum »
RSA_KEY_SIZE = 3072  # NIST SP 800-57: 2048 bits are good until 2030, 3072 beyond
MIN_RSA_KEY_SIZE = 2048
KEY_PATH = "/cle-2"  # after the issuer id: the URL of the key, served as a JWK
# The first key (Ed25519, EdDSA), now only to verify the badges it signed.
LEGACY_ALGORITHM = "EdDSA"
LEGACY_KEY_FRAGMENT = "#cle-1"
# The JWT's registered claims; everything else in the payload is the credential itself.
JWT_CLAIMS = ("iss", "jti", "sub", "nbf", "exp", "iat")
REQUIRED_CLAIMS = ["iss", "jti", "sub", "nbf"]  # § 8.2.6.1: each MUST be present

ISSUER_NAME = "Café IA — Formation des animateurs"
ISSUER_DESCRIPTION = (
    "Plateforme de formation des conseillers et médiateurs numériques qui souhaitent animer des "
    "Cafés IA, ces temps d'échange gratuits et ouverts à toutes et tous sur l'intelligence "
    "artificielle. Elle délivre le badge « Animateur·rice Café IA » aux personnes qui ont rempli "
    "les critères de la formation."
)
ACHIEVEMENT_NAME = "Animateur·rice Café IA"
ACHIEVEMENT_DESCRIPTION = (
    "Ce badge atteste que sa ou son titulaire a suivi la formation des animateurs Café IA : "
    "repères d'histoire de l'IA, données et algorithmes, effets de l'IA sur le travail, et "
    "conduite d'un Café IA, un temps de discussion libre, gratuit et impartial où la parole "
    "circule entre les participants. La personne est prête à en animer un près de chez elle."
)
ACHIEVEMENT_CRITERIA = (
    "Le badge est délivré à la personne qui :\n\n"
    "1. a terminé les quatre modules de la formation ;\n"
    "2. a réussi le quiz de chacun des modules, avec au moins 80 % de bonnes réponses ;\n"
    "3. se déclare prête à animer un Café IA, avec une note d'au moins 4 sur 5 au "
    "positionnement de fin de parcours.\n\n"
    "Selon la cohorte, la formatrice ou le formateur peut aussi devoir valider ce statut. "
    "Le badge peut être retiré, pour un motif enregistré ; son statut se consulte en ligne."
)

# French messages, shown as they are to whoever checks a badge.
MALFORMED = "Ce badge numérique est illisible : ce n'est pas un jeton signé valide."
WRONG_ALGORITHM = "Ce badge numérique utilise un algorithme de signature qui n'est pas accepté."
BAD_SIGNATURE = (
    "La signature de ce badge numérique n'est pas valide : il a été modifié, "
    "ou il n'a pas été signé par Café IA."
)
EXPIRED = "Ce badge numérique a expiré."
NOT_YET_VALID = "Ce badge numérique n'est pas encore valide."
WRONG_ISSUER = "Ce badge numérique n'a pas été émis par Café IA — Formation des animateurs."
WRONG_KEY = "Ce badge numérique annonce une clé de signature qui n'est pas celle de son émetteur."
INCOMPLETE = "Ce badge numérique est incomplet : il y manque une mention obligatoire."
INCONSISTENT = "Le contenu de ce badge numérique est incohérent avec sa signature."

# PyJWT's errors, most specific first: InvalidSignatureError is a kind of DecodeError.
PYJWT_ERRORS = (
    (jwt.InvalidSignatureError, BAD_SIGNATURE),
    (jwt.ExpiredSignatureError, EXPIRED),
    (jwt.ImmatureSignatureError, NOT_YET_VALID),
    (jwt.InvalidIssuerError, WRONG_ISSUER),
    (jwt.InvalidAlgorithmError, WRONG_ALGORITHM),
    (jwt.MissingRequiredClaimError, INCOMPLETE),
)


class InvalidCredential(ValueError):
    """A badge that must not be trusted; the message, in French, says why."""


def issuer_id(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/badges/emetteur"


def key_id(base_url: str) -> str:
    """The JWT's kid: a URL that answers with the public key alone, as a JWK (§ 8.2.3)."""
    return issuer_id(base_url) + KEY_PATH


def legacy_key_id(base_url: str) -> str:
    return issuer_id(base_url) + LEGACY_KEY_FRAGMENT


def achievement_id(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/badges/animateur-cafe-ia"


def generate_private_key_pem() -> str:
    key = generate_private_key(public_exponent=65537, key_size=RSA_KEY_SIZE)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


@lru_cache(maxsize=4)  # parsing and checking an RSA key costs ~50 ms: once per key, not per request
def load_private_key(pem: str) -> RSAPrivateKey:
    key = _load_pem(pem, serialization.load_pem_private_key, password=None)
    if not isinstance(key, RSAPrivateKey):
        raise ValueError(
            "La clé de signature des badges (BADGE_SIGNING_KEY) doit être une clé RSA : "
            "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072. Une ancienne clé "
            "Ed25519 se déclare dans BADGE_PREVIOUS_KEY."
        )
    if key.key_size < MIN_RSA_KEY_SIZE:
        raise ValueError("La clé de signature des badges doit compter au moins 2048 bits.")
    return key


def load_legacy_key(pem: str) -> Ed25519PublicKey:
    """The former Ed25519 key, private or public PEM: only its public half is kept."""
    if "PRIVATE KEY" in pem:
        key = _load_pem(pem, serialization.load_pem_private_key, password=None)
    else:
        key = _load_pem(pem, serialization.load_pem_public_key)
    key = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(
            "L'ancienne clé des badges (BADGE_PREVIOUS_KEY) doit être une clé Ed25519."
        )
    return key


def public_jwk(private_key, *, kid: str | None = None) -> dict:
    """The public half as a JWK (RFC 7518 § 6.3), built from its numbers: « d » cannot leak."""
    numbers = _public_key(private_key).public_numbers()
    jwk = {
        "kty": "RSA",
        "n": _b64url(_big_endian(numbers.n)),
        "e": _b64url(_big_endian(numbers.e)),
        "alg": ALGORITHM,
        "use": "sig",
    }
    return jwk | ({"kid": kid} if kid else {})


def legacy_jwk(public_key: Ed25519PublicKey) -> dict:
    """The former key as a JWK (RFC 8037)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}


def issuer_profile(base_url: str, private_key, legacy_key: Ed25519PublicKey | None = None) -> dict:
    """The Profile served at the issuer's id. Its verificationMethod lists the key the JWT's kid
    names (OB 3.0 § 8.5), and the former one while badges it signed may still be shown."""
    profile_id = issuer_id(base_url)
    methods = [_method(profile_id, key_id(base_url), public_jwk(private_key))]
    if legacy_key is not None:
        methods.append(_method(profile_id, legacy_key_id(base_url), legacy_jwk(legacy_key)))
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, CID_CONTEXT],
        "id": profile_id,
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": base_url.rstrip("/"),
        "description": ISSUER_DESCRIPTION,
        "verificationMethod": methods,
        # Listing a key under assertionMethod says it may sign credentials, not only log in.
        "assertionMethod": [method["id"] for method in methods],
    }


def achievement(base_url: str) -> dict:
    """The Achievement the badge certifies, also served at its id."""
    return {
        "id": achievement_id(base_url),
        "type": ["Achievement"],
        "achievementType": "Badge",
        "name": ACHIEVEMENT_NAME,
        "description": ACHIEVEMENT_DESCRIPTION,
        "criteria": {
            "id": achievement_id(base_url) + "#criteres",
            "narrative": ACHIEVEMENT_CRITERIA,
        },
        "creator": {"id": issuer_id(base_url), "type": ["Profile"], "name": ISSUER_NAME},
        "inLanguage": "fr",
    }


def revocation_list(list_id: str, base_url: str, revoked: dict[str, str]) -> dict:
    """The 1EdTech Revocation List (VCRL 1.0): `revoked` maps credential ids to their reason.

    1EdTech's validator reads « revokedCredential » and its items' « id » and « revoked »."""
    return {
        "id": list_id,
        "issuer": issuer_id(base_url),
        "revokedCredential": [
            {"id": credential, "revoked": True, "revocationReason": reason}
            for credential, reason in revoked.items()
        ],
    }


def issue_credential(
    *,
    private_key,
    base_url: str,
    credential_id: str,
    subject_id: str,
    holder_name: str,
    issued_at: datetime,
    status_url: str,
) -> str:
    """The signed badge, as a compact JWS (the spec's VC-JWT file and web formats)."""
    # nbf is whole seconds and MUST equal validFrom (§ 8.2.6.1), so both come from one value.
    moment = as_utc(issued_at).replace(microsecond=0)
    credential = _credential(base_url, credential_id, subject_id, holder_name, moment, status_url)
    claims = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": subject_id,
        "nbf": int(moment.timestamp()),
    }
    # § 8.2.3: only alg, kid, jwk and typ are allowed in the header, and typ, if present, is "JWT".
    headers = {"kid": key_id(base_url), "typ": "JWT"}
    return jwt.encode(credential | claims, private_key, algorithm=ALGORITHM, headers=headers)


def verify_credential(
    token: str,
    public_key,
    *,
    issuer: str | None = None,
    legacy_key: Ed25519PublicKey | None = None,
) -> dict:
    """The credential inside a valid token, without the JWT claims; InvalidCredential otherwise.

    `public_key` is the issuer's RSA key (a private key is accepted: its public half is used);
    `legacy_key`, when given, the former Ed25519 key, accepted for EdDSA badges only.
    `issuer`, when given, is the only issuer id accepted (see issuer_id()).
    """
    header = _header(token)
    # The key follows from the algorithm, never the other way round: « none » and HMAC tokens
    # never reach a key (RFC 8725 § 2.1), nor an RSA token the Ed25519 key.
    if header.get("alg") == ALGORITHM:
        key, suffix = _public_key(public_key), KEY_PATH
    elif header.get("alg") == LEGACY_ALGORITHM and legacy_key is not None:
        key, suffix = legacy_key, LEGACY_KEY_FRAGMENT
    else:
        raise InvalidCredential(WRONG_ALGORITHM)
    payload = _decode(token, key, header["alg"], issuer)
    if header.get("kid") != f"{payload['iss']}{suffix}":
        raise InvalidCredential(WRONG_KEY)
    _check_claims_match(payload)
    return {name: value for name, value in payload.items() if name not in JWT_CLAIMS}


def recipient_name(credential: dict) -> str | None:
    """The recipient's name, as issue_credential() writes it (an IdentityObject « name »)."""
    identifiers = credential.get("credentialSubject", {}).get("identifier") or []
    names = [i.get("identityHash") for i in identifiers if i.get("identityType") == "name"]
    return names[0] if names else None


def _method(controller: str, method_id: str, jwk: dict) -> dict:
    return {"id": method_id, "type": "JsonWebKey", "controller": controller, "publicKeyJwk": jwk}


def _credential(base_url, credential_id, subject_id, holder_name, moment, status_url) -> dict:
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": ACHIEVEMENT_NAME,
        "issuer": {
            "id": issuer_id(base_url),
            "type": ["Profile"],
            "name": ISSUER_NAME,
            "url": base_url.rstrip("/"),
        },
        "validFrom": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            # OB 3.0's way to name the recipient: an IdentityObject of identityType "name",
            # in clear (hashed: false) because the badge is meant to be shown.
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": holder_name,
                }
            ],
            "achievement": achievement(base_url),
        },
        # 1EdTech Revocation List (VCRL 1.0), the method OB 3.0 names. Its document version 1.3
        # (Oct. 2025) deprecates it for W3C Bitstring Status List, which needs a signed list.
        "credentialStatus": {"id": status_url, "type": "1EdTechRevocationList"},
    }


def _decode(token: str, public_key, algorithm: str, issuer: str | None) -> dict:
    try:
        return jwt.decode(
            token,
            public_key,
            algorithms=[algorithm],
            issuer=issuer,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.InvalidTokenError as error:
        message = next((text for kind, text in PYJWT_ERRORS if isinstance(error, kind)), MALFORMED)
        raise InvalidCredential(message) from error


def _check_claims_match(payload: dict) -> None:
    """§ 8.2.6.1: each claim MUST equal the credential member it stands for."""
    issuer, subject = payload.get("issuer"), payload.get("credentialSubject")
    try:
        matches = (
            payload["iss"] == (issuer["id"] if isinstance(issuer, dict) else issuer),
            payload["sub"] == subject["id"],
            payload["jti"] == payload["id"],
            payload["nbf"] == _seconds(payload["validFrom"]),
            payload.get("exp") == _seconds(payload.get("validUntil")),
            "OpenBadgeCredential" in payload["type"],
        )
    except (KeyError, TypeError, ValueError):
        raise InvalidCredential(INCONSISTENT) from None
    if not all(matches):
        raise InvalidCredential(INCONSISTENT)


def _header(token: str) -> dict:
    try:
        return jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise InvalidCredential(MALFORMED) from None


def _seconds(moment: str | None) -> int | None:
    return None if moment is None else int(datetime.fromisoformat(moment).timestamp())


def _public_key(key) -> RSAPublicKey:
    public = key.public_key() if isinstance(key, RSAPrivateKey) else key
    if not isinstance(public, RSAPublicKey):
        raise TypeError("La clé de vérification des badges doit être une clé RSA.")
    return public


def _load_pem(pem: str, loader, **options):
    # A PEM kept in an environment variable often arrives with its line breaks written « \n ».
    try:
        return loader(pem.replace("\\n", "\n").encode(), **options)
    except (ValueError, TypeError) as error:
        raise ValueError("La clé des badges n'est pas une clé PEM lisible.") from error


def _big_endian(number: int) -> bytes:
    return number.to_bytes((number.bit_length() + 7) // 8, "big")


def _b64url(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
