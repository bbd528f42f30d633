"""Configuration read from the environment: secrets and URLs never live in the code."""

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def _development_secret(instance_path: Path) -> str:
    """A random key kept in instance/, so sessions survive a restart in development."""
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _development_key(instance_path: Path, production: bool) -> str | None:
    """The Ed25519 key that signs badges: from the environment in production, generated here else."""
    if production:
        raise RuntimeError("BADGE_SIGNING_KEY doit être défini en production (clé Ed25519 PEM).")
    path = instance_path / "badge_signing_key.pem"
    if not path.exists():
        key = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.write_bytes(key)
        path.chmod(0o600)
    return path.read_text()


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


def _required_in_production(production: bool) -> None:
    # Without SMTP, e-mails (reset links included) would be printed into the server's logs.
    for name in ("SECRET_KEY", "MAIL_SERVER"):
        if production and not os.environ.get(name):
            raise RuntimeError(f"{name} doit être défini en production.")


def from_environment(instance_path: Path) -> dict:
    production = os.environ.get("CAFEIA_ENV") == "production"
    _required_in_production(production)
    secret = os.environ.get("SECRET_KEY")
    return {
        "PRODUCTION": production,
        "SECRET_KEY": secret or _development_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(
            os.environ.get("DATABASE_URL", f"sqlite:///{instance_path / 'cafeia.sqlite3'}")
        ),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Proxies in front of the app (nginx…): their X-Forwarded-For gives the visitor's address,
        # which the rate limits count by. 0: no proxy, the TCP peer is the visitor.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL", "memory://"),
        "PASSWORD_HASH_METHOD": "scrypt",  # memory-hard; the tests use a cheaper one
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "PASSWORD_RESET_MAX_AGE": int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600")),
        "CONTACT_EMAIL": os.environ.get("CONTACT_EMAIL", "contact@cafeia.local"),
        "LRS_ENDPOINT": os.environ.get("LRS_ENDPOINT"),
        "LRS_USERNAME": os.environ.get("LRS_USERNAME", ""),
        "LRS_PASSWORD": os.environ.get("LRS_PASSWORD", ""),
        "LRS_TIMEOUT": float(os.environ.get("LRS_TIMEOUT", "10")),
        "XAPI_BATCH_SIZE": int(os.environ.get("XAPI_BATCH_SIZE", "100")),
        "XAPI_RETRY_BASE": float(os.environ.get("XAPI_RETRY_BASE", "2")),
        "XAPI_RETRY_MAX": float(os.environ.get("XAPI_RETRY_MAX", "3600")),
        "XAPI_READ_USERNAME": os.environ.get("XAPI_READ_USERNAME"),
        "XAPI_READ_PASSWORD": os.environ.get("XAPI_READ_PASSWORD"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS"),
        "MAIL_SENDER": os.environ.get(
            "MAIL_SENDER", "Café IA Formation <ne-pas-repondre@cafeia.local>"
        ),
        "QUIZ_PASS_MARK": float(os.environ.get("QUIZ_PASS_MARK", "80")),
        "QUIZ_BANKS": os.environ.get("QUIZ_BANKS"),  # None: quizzes/banks
        "READINESS_THRESHOLD": int(os.environ.get("READINESS_THRESHOLD", "4")),
        "REQUIRE_TRAINER_VALIDATION": _env_bool("REQUIRE_TRAINER_VALIDATION"),
        "CONTACT_RATE_LIMIT": os.environ.get("CONTACT_RATE_LIMIT", "5 per hour"),
        "VERIFY_RATE_LIMIT": os.environ.get("VERIFY_RATE_LIMIT", "30 per minute"),
        "BADGE_SIGNING_KEY": os.environ.get("BADGE_SIGNING_KEY")
        or _development_key(instance_path, production),
        "COURSES_CONTENT": os.environ.get("COURSES_CONTENT"),  # None: courses/content
        "DSFR_DIST": os.environ.get(
            "DSFR_DIST", str(ROOT / "node_modules" / "@gouvfr" / "dsfr" / "dist")
        ),
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_I18N_ENABLED": False,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
