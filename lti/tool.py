"""The tool side of LTI 1.3, written on PyJWT with the 1EdTech specifications at hand.

Why not pylti1p3: its last release dates from 2022 and its maintainer has stepped back; what
the tool needs is small (verify an id_token against the platform's JWKS, sign a few JWTs,
call three REST services), and PyJWT, which the platform already uses, does the cryptography
and fetches and caches the JWKS (PyJWKClient). See the README, « LTI 1.3 ».
"""

import base64
import hashlib
import json
import secrets
import time
import uuid
from datetime import timedelta
from functools import cache

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from flask import current_app
from sqlalchemy import select, update

from lms.extensions import db
from lms.models import utcnow

from .models import Nonce, Platform

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
INSTRUCTOR_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
)
SCOPES = {
    "lineitem": "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "score": "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "result": "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "nrps": "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
}
NONCE_MAX_AGE = timedelta(minutes=10)  # a launch takes seconds; an older nonce is refused
TIMEOUT = 10


class LaunchRefused(Exception):
    """A launch we must not honour; the message is shown to the person, in French."""


# --- the tool's key --------------------------------------------------------------------------


def private_key():
    return _load_key(current_app.config["LTI_TOOL_PRIVATE_KEY"])


@cache
def _load_key(pem: str):
    return serialization.load_pem_private_key(pem.encode(), password=None)


def key_id() -> str:
    """The RFC 7638 thumbprint: a key id that changes with the key, never by hand."""
    jwk = public_jwk_without_kid()
    members = json.dumps({name: jwk[name] for name in ("e", "kty", "n")}, separators=(",", ":"))
    digest = hashlib.sha256(members.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def public_jwk_without_kid() -> dict:
    return jwt.algorithms.RSAAlgorithm.to_jwk(private_key().public_key(), as_dict=True)


def jwks() -> dict:
    key = public_jwk_without_kid() | {"kid": key_id(), "alg": "RS256", "use": "sig"}
    return {"keys": [key]}


def sign(claims: dict) -> str:
    return jwt.encode(claims, private_key(), algorithm="RS256", headers={"kid": key_id()})


# --- OIDC login initiation and launch --------------------------------------------------------


def platform_for(issuer: str, client_id: str | None) -> Platform | None:
    statement = select(Platform).where(Platform.issuer == issuer)
    if client_id:
        statement = statement.where(Platform.client_id == client_id)
    return db.session.scalars(statement.order_by(Platform.id)).first()


def new_nonce() -> str:
    nonce = secrets.token_urlsafe(32)
    db.session.add(Nonce(value=nonce))
    db.session.commit()
    return nonce


def spend_nonce(value: str) -> bool:
    """True once per nonce we issued lately: the UPDATE is the single writer."""
    spent = db.session.execute(
        update(Nonce)
        .where(
            Nonce.value == value,
            Nonce.used_at.is_(None),
            Nonce.created_at > utcnow() - NONCE_MAX_AGE,
        )
        .values(used_at=utcnow())
    )
    db.session.commit()
    return spent.rowcount == 1


_jwks_clients: dict[str, jwt.PyJWKClient] = {}


def jwks_client(url: str) -> jwt.PyJWKClient:
    """One client per platform JWKS: PyJWKClient caches the keys, and fetches again when a
    token names a key id it does not know (the platform rotated its key)."""
    if url not in _jwks_clients:
        _jwks_clients[url] = jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=TIMEOUT)
    return _jwks_clients[url]


def verified_launch(id_token: str) -> tuple[Platform, dict]:
    """The id_token's claims, once its signature, issuer, audience, expiry, nonce and
    deployment are checked; LaunchRefused says which failed."""
    try:
        unverified = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise LaunchRefused("Le jeton de lancement est illisible.") from None
    audience = unverified.get("aud")
    client_id = audience[0] if isinstance(audience, list) and audience else audience
    platform = platform_for(str(unverified.get("iss", "")), unverified.get("azp") or client_id)
    if platform is None:
        raise LaunchRefused("Cette plateforme n'est pas enregistrée.")
    try:
        key = jwks_client(platform.jwks_url).get_signing_key_from_jwt(id_token)
        claims = jwt.decode(
            id_token,
            key.key,
            algorithms=["RS256"],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=5,
            options={"require": ["exp", "iat", "sub", "nonce"]},
        )
    except jwt.ExpiredSignatureError:
        raise LaunchRefused("Le jeton de lancement a expiré.") from None
    except jwt.InvalidAudienceError:
        raise LaunchRefused("Le jeton de lancement n'est pas destiné à cet outil.") from None
    except (jwt.InvalidTokenError, jwt.PyJWKClientError):
        raise LaunchRefused("La signature du jeton de lancement n'est pas valide.") from None
    several = isinstance(claims["aud"], list) and len(claims["aud"]) > 1
    if several and claims.get("azp") != platform.client_id:
        raise LaunchRefused("Le jeton de lancement n'est pas destiné à cet outil.")
    if claims.get(CLAIM + "deployment_id") not in platform.deployments:
        raise LaunchRefused("Ce déploiement n'est pas enregistré pour cette plateforme.")
    if claims.get(CLAIM + "version") != "1.3.0":
        raise LaunchRefused("Seul LTI 1.3 est pris en charge.")
    if not spend_nonce(str(claims["nonce"])):
        raise LaunchRefused("Ce lancement a déjà servi ou a expiré : relancez-le depuis le LMS.")
    return platform, claims


def is_instructor(claims: dict) -> bool:
    roles = claims.get(CLAIM + "roles") or []
    return any(role in INSTRUCTOR_ROLES for role in roles)


# --- deep linking ----------------------------------------------------------------------------


def deep_linking_response(platform: Platform, claims: dict, items: list[dict]) -> str:
    """The LtiDeepLinkingResponse JWT, signed by the tool, that the browser posts back."""
    settings = claims.get(DL_CLAIM + "deep_linking_settings") or {}
    message = {
        "iss": platform.client_id,
        "aud": [platform.issuer],
        "iat": int(time.time()),
        "exp": int(time.time()) + 300,
        "nonce": uuid.uuid4().hex,
        CLAIM + "message_type": "LtiDeepLinkingResponse",
        CLAIM + "version": "1.3.0",
        CLAIM + "deployment_id": claims[CLAIM + "deployment_id"],
        DL_CLAIM + "content_items": items,
    }
    if "data" in settings:
        message[DL_CLAIM + "data"] = settings["data"]
    return sign(message)


# --- the platform's services (AGS, NRPS) -----------------------------------------------------

_tokens: dict[tuple[int, str], tuple[str, float]] = {}


class ServiceUnavailable(Exception):
    """The platform did not answer, or refused for now: try again later."""


class ServiceRefused(Exception):
    """The platform refused the request itself: retrying will not help."""


def access_token(platform: Platform, scopes: list[str]) -> str:
    """A bearer token by the client-credentials grant, the tool's signed JWT as credential
    (1EdTech Security Framework, 4.1); kept until shortly before it expires."""
    scope = " ".join(sorted(scopes))
    cached = _tokens.get((platform.id, scope))
    if cached and cached[1] > time.time() + 30:
        return cached[0]
    now = int(time.time())
    assertion = sign(
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.token_url,
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        }
    )
    answer = _call(
        "POST",
        platform.token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": scope,
        },
    ).json()
    _tokens[(platform.id, scope)] = (answer["access_token"], now + int(answer["expires_in"]))
    return answer["access_token"]


def service(platform, method, url, scopes, accept, **kwargs) -> requests.Response:
    headers = {"Authorization": "Bearer " + access_token(platform, scopes), "Accept": accept}
    if "json" in kwargs:
        headers["Content-Type"] = kwargs.pop("content_type")
    return _call(method, url, headers=headers, **kwargs)


def _call(method, url, **kwargs) -> requests.Response:
    try:
        response = requests.request(method, url, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as error:
        raise ServiceUnavailable(f"plateforme injoignable : {error}") from error
    if response.status_code >= 500 or response.status_code in (401, 408, 429):
        raise ServiceUnavailable(f"HTTP {response.status_code} : {response.text[:300]}")
    if response.status_code >= 400:
        raise ServiceRefused(f"HTTP {response.status_code} : {response.text[:300]}")
    return response
