"""Configuration read from the environment: secrets and URLs never live in the code.

Every setting is declared once, in SETTINGS: its environment variable, how it is read and its
default. The README's configuration table is checked against this list by a test.
"""

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str) -> bool:
    return value.lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Setting:
    name: str  # the environment variable, and the config key unless `key` says otherwise
    default: object = None  # None: absent; a callable: computed from the settings read so far
    parse: Callable[[str], object] = str
    key: str | None = None

    def read(self, environ, config: dict) -> object:
        if environ.get(self.name):
            try:
                return self.parse(environ[self.name])
            except ValueError:
                raise RuntimeError(
                    f"{self.name} : valeur invalide « {environ[self.name]} »."
                ) from None
        return self.default(config) if callable(self.default) else self.default


def database_url(url: str) -> str:
    """postgresql:// URLs (the usual form) go through psycopg 3, the driver we install."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def scratch_database(url: str) -> bool:
    """Tests and benchmarks empty the PostgreSQL database they are given: only one whose name
    says it is theirs (test…, bench…), never one a production shell may have exported."""
    name = make_url(database_url(url)).database or ""
    return name.startswith(("test", "bench"))


def _development_secret(config: dict) -> str:
    """A random key kept in instance/, so sessions survive a restart in development."""
    path = config["INSTANCE_PATH"] / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _development_key(config: dict, name: str = "BADGE_SIGNING_KEY", file: str = "badge") -> str:
    """The RSA key that signs badges (or LTI messages): from the environment in production,
    generated here else."""
    if config["PRODUCTION"]:
        raise RuntimeError(f"{name} doit être défini en production (clé RSA PEM).")
    path = config["INSTANCE_PATH"] / f"{file}_signing_key_rsa.pem"
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.write_bytes(key)
        path.chmod(0o600)
    return path.read_text()


def _previous_development_key(config: dict) -> str | None:
    """The Ed25519 key that signed badges before RS256, if this instance has one: they stay valid."""
    path = config["INSTANCE_PATH"] / "badge_signing_key.pem"
    return None if config["PRODUCTION"] or not path.exists() else path.read_text()


def _proconnect_discovery(config: dict) -> str | None:
    """ProConnect publishes its configuration under /api/v2 of its domain."""
    domain = config["PROCONNECT_DOMAIN"]
    return f"https://{domain}/api/v2/.well-known/openid-configuration" if domain else None


SETTINGS = (
    Setting("CAFEIA_ENV", "development"),
    Setting("SECRET_KEY", _development_secret),
    Setting(
        "DATABASE_URL",
        lambda c: f"sqlite:///{c['INSTANCE_PATH'] / 'cafeia.sqlite3'}",
        database_url,
        key="SQLALCHEMY_DATABASE_URI",
    ),
    Setting("PORT", 5000, int),
    # The public address follows the port `make run PORT=…` serves on, unless given.
    Setting("BASE_URL", lambda c: f"http://127.0.0.1:{c['PORT']}", lambda v: v.rstrip("/")),
    # Proxies in front of the app (nginx…): their X-Forwarded-For gives the visitor's address,
    # which the rate limits count by. 0: no proxy, the TCP peer is the visitor.
    Setting("TRUSTED_PROXIES", 0, int),
    Setting("REDIS_URL", "memory://", key="RATELIMIT_STORAGE_URI"),
    Setting("LOG_LEVEL", "INFO", str.upper),
    Setting("LOGIN_RATE_LIMIT", "10 per minute"),
    Setting("SIGNUP_RATE_LIMIT", "10 per hour"),
    Setting("PASSWORD_RESET_MAX_AGE", 3600, int),
    Setting("CONTACT_EMAIL", "contact@cafeia.local"),
    Setting("LRS_ENDPOINT"),
    Setting("LRS_USERNAME", ""),
    Setting("LRS_PASSWORD", ""),
    Setting("LRS_TIMEOUT", 10.0, float),
    Setting("XAPI_BATCH_SIZE", 100, int),
    Setting("XAPI_RETRY_BASE", 2.0, float),
    Setting("XAPI_RETRY_MAX", 3600.0, float),
    Setting("XAPI_READ_USERNAME"),
    Setting("XAPI_READ_PASSWORD"),
    Setting("MAIL_SERVER"),
    Setting("MAIL_PORT", 25, int),
    Setting("MAIL_USERNAME"),
    Setting("MAIL_PASSWORD"),
    Setting("MAIL_USE_TLS", False, _bool),
    Setting("MAIL_SENDER", "Café IA Formation <ne-pas-repondre@cafeia.local>"),
    Setting("QUIZ_PASS_MARK", 80.0, float),
    Setting("QUIZ_BANKS"),  # None: quizzes/banks
    Setting("READINESS_THRESHOLD", 4, int),
    Setting("REQUIRE_TRAINER_VALIDATION", False, _bool),
    Setting("CONTACT_RATE_LIMIT", "5 per hour"),
    Setting("VERIFY_RATE_LIMIT", "30 per minute"),
    Setting("REMINDER_RATE_LIMIT", "10 per hour"),
    Setting("CAFE_REGISTRATION_RATE_LIMIT", "20 per hour"),
    Setting("CAFE_REPORT_EDIT_DAYS", 30, int),
    Setting("CAFE_FEEDBACK_DAYS", 7, int),
    Setting("STATS_OPEN_DATA_TTL", 600, int),
    Setting("BADGE_SIGNING_KEY", _development_key),
    Setting("BADGE_PREVIOUS_KEY", _previous_development_key),
    # LTI is off in production until its key is given (lti/ answers 404 without it).
    Setting(
        "LTI_TOOL_PRIVATE_KEY",
        lambda c: None if c["PRODUCTION"] else _development_key(c, "LTI_TOOL_PRIVATE_KEY", "lti"),
    ),
    Setting("COURSES_CONTENT"),  # None: courses/content
    Setting("DSFR_DIST", str(ROOT / "node_modules" / "@gouvfr" / "dsfr" / "dist")),
    # ProConnect: off unless a provider, a client id and its secret are given.
    Setting("PROCONNECT_DOMAIN"),
    Setting("PROCONNECT_DISCOVERY_URL", _proconnect_discovery),
    Setting("PROCONNECT_CLIENT_ID"),
    Setting("PROCONNECT_CLIENT_SECRET"),
    Setting("PROCONNECT_REDIRECT_URI", lambda c: f"{c['BASE_URL']}/proconnect/retour"),
    Setting("PROCONNECT_LOGOUT_URI", lambda c: f"{c['BASE_URL']}/proconnect/deconnecte"),
    Setting("PROCONNECT_TIMEOUT", 10.0, float),
    Setting("SIRET_LOOKUP_URL", "https://recherche-entreprises.api.gouv.fr/search"),
)

# Production must not start on a default that would leak or mislead: without SMTP, e-mails (reset
# links included) would be printed into the logs; without Redis, each worker would count the
# rate limits on its own, multiplying every limit by the number of workers.
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "MAIL_SERVER", "REDIS_URL")


def _required_in_production(environ, production: bool) -> None:
    for name in REQUIRED_IN_PRODUCTION:
        if production and not environ.get(name):
            raise RuntimeError(f"{name} doit être défini en production.")


def from_environment(instance_path: Path, environ=os.environ) -> dict:
    production = environ.get("CAFEIA_ENV") == "production"
    _required_in_production(environ, production)
    config = {"INSTANCE_PATH": instance_path, "PRODUCTION": production}
    for setting in SETTINGS:
        config[setting.key or setting.name] = setting.read(environ, config)
    del config["INSTANCE_PATH"]
    return {**config, **_fixed(production)}


def _fixed(production: bool) -> dict:
    """What is not a choice of the operator's."""
    return {
        "PASSWORD_HASH_METHOD": "scrypt",  # memory-hard; the tests use a cheaper one
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_I18N_ENABLED": False,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # A database error, logged with its traceback, must not print the row's values.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    }
