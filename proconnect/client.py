"""The OpenID Connect client, as ProConnect specifies it.

Authlib does discovery, the authorization code exchange and the ID token (signature, iss, aud,
exp, nonce). ProConnect's userinfo is a signed JWT (application/jwt), which Authlib's userinfo()
cannot read: it is verified here against the provider's JWKS with joserfc.
"""

import logging
import secrets
from urllib.parse import urlsplit

import requests
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from lms.security import CONTENT_SECURITY_POLICY

log = logging.getLogger(__name__)

SCOPES = "openid given_name usual_name email uid siret idp_id"  # one scope per claim
ACR = "eidas1"
REQUIRED_CLAIMS = {
    "sub": "l'identifiant",
    "given_name": "le prénom",
    "usual_name": "le nom",
    "email": "l'adresse électronique",
    "siret": "le SIRET de la structure",
    "idp_id": "le fournisseur d'identité",
}
ALGORITHMS = ["RS256", "ES256"]


class ProConnectError(Exception):
    """A refused sign-in: a French message for the person and the status that says why."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


UNAVAILABLE = ProConnectError(
    "ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes, ou "
    "connectez-vous avec votre adresse électronique et votre mot de passe.",
    503,
)


def configured(app: Flask | None = None) -> bool:
    config = (app or current_app).config
    return all(
        config.get(name)
        for name in ("PROCONNECT_DISCOVERY_URL", "PROCONNECT_CLIENT_ID", "PROCONNECT_CLIENT_SECRET")
    )


def register(app: Flask) -> None:
    """Each app its own client: tests build apps with different providers."""
    if not configured(app):
        return
    oauth = OAuth(app)
    oauth.register(
        "proconnect",
        client_id=app.config["PROCONNECT_CLIENT_ID"],
        client_secret=app.config["PROCONNECT_CLIENT_SECRET"],
        server_metadata_url=app.config["PROCONNECT_DISCOVERY_URL"],
        client_kwargs={
            "scope": SCOPES,
            "token_endpoint_auth_method": "client_secret_post",
            "default_timeout": app.config["PROCONNECT_TIMEOUT"],
        },
    )
    app.extensions["proconnect"] = oauth.proconnect


def allow_forms_to_provider(response):
    """The button and the log-out are forms whose answer redirects to ProConnect: the CSP's
    form-action, which browsers apply to redirects too, must name its origin."""
    if configured() and "Content-Security-Policy" not in response.headers:
        url = urlsplit(current_app.config["PROCONNECT_DISCOVERY_URL"])
        allowed = f"form-action 'self' {url.scheme}://{url.netloc}"
        policy = CONTENT_SECURITY_POLICY.replace("form-action 'self'", allowed)
        response.headers["Content-Security-Policy"] = policy
    return response


def client():
    return current_app.extensions["proconnect"]


def metadata() -> dict:
    try:
        return client().load_server_metadata()
    except (requests.RequestException, ValueError):
        log.warning("ProConnect injoignable (configuration OpenID)")
        raise UNAVAILABLE from None


def new_secret() -> str:
    """state and nonce: ProConnect asks for 32 characters at least (this gives 43)."""
    return secrets.token_urlsafe(32)


def verified_userinfo(token: dict, sub: str) -> dict:
    """The userinfo JWT, its signature checked against the JWKS, issued for us, about `sub`."""
    provider = metadata()
    try:
        response = client().get(provider["userinfo_endpoint"], token=token)
    except requests.RequestException:
        raise UNAVAILABLE from None
    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    if response.status_code != 200 or kind != "application/jwt":
        log.warning("ProConnect : userinfo refusé (%s, %s)", response.status_code, kind)
        raise _untrusted()
    try:
        keys = KeySet.import_key_set(client().fetch_jwk_set())
        claims = jwt.decode(response.text, keys, algorithms=ALGORITHMS).claims
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": provider["issuer"]},
            aud={"essential": True, "value": current_app.config["PROCONNECT_CLIENT_ID"]},
            sub={"essential": True, "value": sub},
        ).validate(claims)
    except (JoseError, ValueError) as error:
        log.warning("ProConnect : userinfo non vérifié (%s)", type(error).__name__)
        raise _untrusted() from None
    except requests.RequestException:
        raise UNAVAILABLE from None
    return claims


def _untrusted() -> ProConnectError:
    return ProConnectError(
        "Les informations transmises par ProConnect n'ont pas pu être vérifiées : "
        "vous n'êtes pas connecté·e. Réessayez dans quelques minutes.",
        502,
    )


def missing_claims(claims: dict) -> list[str]:
    return [
        label for name, label in REQUIRED_CLAIMS.items() if not str(claims.get(name) or "").strip()
    ]


def structure_name(siret: str) -> dict:
    """The structure's name and commune, from the API Recherche d'entreprises; {} if unknown."""
    url = current_app.config["SIRET_LOOKUP_URL"]
    if not url:
        return {}
    try:
        response = requests.get(url, params={"q": siret}, timeout=3)
        response.raise_for_status()
        result = response.json()["results"][0]
    except (requests.RequestException, ValueError, KeyError, IndexError, TypeError):
        return {}
    places = [e for e in result.get("matching_etablissements") or [] if e.get("siret") == siret]
    return {
        "structure": result.get("nom_complet") or "",
        "commune": (places[0].get("libelle_commune") or "").title() if places else "",
    }
