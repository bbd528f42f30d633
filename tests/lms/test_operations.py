"""What operators rely on: settings declared once, the log, limits, blank input, faults."""

import contextlib
import importlib
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired

from cafeia import create_app
from certificates import status
from lms.config import SETTINGS
from lms.extensions import db
from lms.forms import BaseForm
from lms.models import User
from tests.conftest import ON_POSTGRES, PASSWORD, FormClient, make_config
from tests.helpers import rsa_pem

ROOT = Path(__file__).parents[2]
BLANKS = ["   ", "\xa0", "\n", " \u2003\t\r\n"]


# --- settings ----------------------------------------------------------------------------------


def _readme_settings() -> set[str]:
    """The variables named in the first column of the README's configuration table."""
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z_]+)`", row.split("|")[1])}


def test_the_readme_documents_exactly_the_declared_settings():
    assert _readme_settings() == {setting.name for setting in SETTINGS}


def test_the_code_reads_the_environment_only_through_the_settings():
    packages = ["lms", "courses", "quizzes", "certificates", "annuaire", "cohorts", "stats"]
    readers = [
        str(path.relative_to(ROOT))
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        if "os.environ" in path.read_text() or "getenv" in path.read_text()
    ]
    assert readers == ["lms/config.py"]


# A value of the right type for each setting, different from its default.
SAMPLES = {int: "7", float: "7.5", bool: "1"}


SPECIAL = {
    "LOG_LEVEL": "WARNING",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
    "COURSES_CONTENT": str(ROOT / "tests/courses/fixture_content"),
    "QUIZ_BANKS": str(ROOT / "tests/quizzes/fixture_banks"),
}


def _sample(setting) -> tuple[str, object]:
    if setting.name in SPECIAL:
        return SPECIAL[setting.name], SPECIAL[setting.name]
    kind = type(setting.default) if setting.default is not None else str
    raw = SAMPLES.get(kind, "valeur-de-test")
    return raw, setting.parse(raw)


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_declared_setting_is_read_from_the_environment(monkeypatch, tmp_path, setting):
    raw, expected = _sample(setting)
    if setting.name == "DATABASE_URL":
        raw = expected = f"sqlite:///{tmp_path / 'reglage.sqlite3'}"
    for name in ("COURSES_CONTENT", "QUIZ_BANKS"):  # content and banks must match
        monkeypatch.setenv(name, SPECIAL[name])
    monkeypatch.setenv(setting.name, raw)
    config = create_app().config
    assert config[setting.key or setting.name] == expected


def test_the_public_address_follows_the_port(monkeypatch):
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "5101")
    assert create_app().config["BASE_URL"] == "http://127.0.0.1:5101"
    monkeypatch.setenv("BASE_URL", "https://formation.exemple.fr/")
    assert create_app().config["BASE_URL"] == "https://formation.exemple.fr"


def test_a_malformed_setting_stops_the_start_with_its_name(monkeypatch):
    monkeypatch.setenv("MAIL_PORT", "vingt-cinq")
    with pytest.raises(RuntimeError, match="MAIL_PORT : valeur invalide"):
        create_app()
    monkeypatch.setenv("MAIL_PORT", "25")
    monkeypatch.setenv("LOG_LEVEL", "bavard")
    with pytest.raises(RuntimeError, match="LOG_LEVEL"):
        create_app()


def test_production_refuses_rate_limits_counted_per_worker(monkeypatch):
    for name, value in {
        "CAFEIA_ENV": "production",
        "SECRET_KEY": "x" * 32,
        "MAIL_SERVER": "smtp.exemple.fr",
        "BADGE_SIGNING_KEY": rsa_pem(),  # read at start in production: a real key
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(RuntimeError, match="REDIS_URL doit être défini en production"):
        create_app()
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert create_app().config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


# --- the log -----------------------------------------------------------------------------------


def _flask(database_uri, *args, **env):
    environment = {
        **os.environ,
        "DATABASE_URL": database_uri,
        "SECRET_KEY": "clé-de-test",
        "COURSES_CONTENT": str(ROOT / "tests/courses/fixture_content"),
        "QUIZ_BANKS": str(ROOT / "tests/quizzes/fixture_banks"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "lms", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_audit_lines_are_logged_with_a_time_and_no_personal_data(app, database_uri):
    email = "journal.audit@exemple.fr"
    done = _flask(database_uri, "create-user", email, "--password", PASSWORD, "--role", "admin")
    assert done.returncode == 0, done.stderr
    user_id = db.session.scalar(db.select(User.id).where(User.email == email))
    line = next(line for line in done.stderr.splitlines() if "compte créé" in line)
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO lms\.accounts\.services : ", line)
    assert f"utilisateur {user_id}" in line
    assert email not in done.stderr and "journal.audit" not in done.stderr


def test_database_errors_reach_the_log_without_the_values_of_the_row(app, create_user, caplog):
    """SQLAlchemy prints no parameters (hide_parameters); PostgreSQL quotes the refused row
    in its DETAIL, which the log's formatter masks, as it masks any e-mail address."""
    from sqlalchemy.exc import IntegrityError

    from lms.logs import FORMAT, RedactingFormatter

    user = create_user(email="unique.personne@exemple.fr")
    with pytest.raises(IntegrityError) as refused:
        db.session.execute(
            text("INSERT INTO users (email, pseudonym) VALUES (:email, :pseudonym)"),
            {"email": user.email, "pseudonym": user.pseudonym},
        )
    logging.getLogger("cafeia.test").error("écriture refusée", exc_info=refused.value)
    db.session.rollback()
    line = RedactingFormatter(FORMAT).format(caplog.records[-1])
    assert "IntegrityError" in line and "écriture refusée" in line
    assert "unique.personne" not in line and user.pseudonym not in line


def test_log_level_silences_audit_lines(app, database_uri):
    done = _flask(
        database_uri, "create-user", "calme@exemple.fr", "--password", PASSWORD, LOG_LEVEL="warning"
    )
    assert done.returncode == 0, done.stderr
    assert "compte créé" not in done.stderr


# --- limits ------------------------------------------------------------------------------------


def _signup(client, n):
    from tests.helpers import VALID

    return client.submit("/inscription", {**VALID, "email": f"nouvelle{n}@exemple.fr"})


@pytest.mark.parametrize("app_config", [{"SIGNUP_RATE_LIMIT": "3 per hour"}])
def test_sign_up_is_rate_limited_per_address(client):
    for n in range(3):
        assert _signup(client, n).status_code == 302, n
        client.submit("/deconnexion")
    refused = _signup(client, 3)
    assert refused.status_code == 429 and "Trop de tentatives" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 3


# --- blank input -------------------------------------------------------------------------------


FORM_MODULES = [
    "lms.accounts.forms",
    "lms.admin.forms",
    "certificates.forms",
    "annuaire.forms",
    "cohorts.forms",
    "stats.forms",
]


def _forms():
    for module in FORM_MODULES:  # every form of the platform, whatever was imported before
        importlib.import_module(module)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    def has_fields(form):  # a class without fields is a base that forms build on
        return any(isinstance(getattr(form, name), UnboundField) for name in dir(form))

    forms = {form for form in subclasses(BaseForm) if has_fields(form)}
    return sorted(forms, key=lambda form: form.__qualname__)


def _build(form_class, data):
    try:
        return form_class(formdata=data, meta={"csrf": False})
    except TypeError:  # a form read from the query string takes it as its only argument
        return form_class(data)


@pytest.mark.parametrize("form_class", _forms(), ids=lambda form: form.__qualname__)
def test_no_required_text_field_accepts_blanks(app, form_class):
    with app.test_request_context(method="POST"):
        names = [f.name for f in _build(form_class, MultiDict())]
    for blank in BLANKS:
        with app.test_request_context(method="POST"):
            form = _build(form_class, MultiDict({name: blank for name in names}))
            form.validate()
            for field in form:
                required = any(
                    isinstance(v, InputRequired | DataRequired) for v in field.validators
                )
                if required and field.type in {"StringField", "TextAreaField", "EmailField"}:
                    assert field.errors, (field.name, blank)
                if field.type in {"StringField", "TextAreaField"} and field.data:
                    assert field.data == field.data.strip()


@pytest.mark.parametrize("blank", BLANKS)
def test_a_blank_reason_neither_revokes_nor_restores(client, auth, create_user, blank):
    from tests.helpers import finish_modules, readiness_form

    learner = create_user()
    auth.login(learner.email)
    finish_modules(client, client.application)
    client.submit("/positionnement", readiness_form(5))
    auth.logout()
    auth.login(create_user(role="admin").email)
    url = f"/admin/animateurs/{learner.id}"
    refused = client.submit(url + "/revoquer", {"reason": blank})
    assert refused.status_code == 422 and "Le motif est obligatoire" in refused.get_data(
        as_text=True
    )
    assert status.status_of(learner) == status.CERTIFIED
    assert client.submit(url + "/revoquer", {"reason": "Usage commercial"}).status_code == 302
    assert client.submit(url + "/retablir", {"reason": blank}).status_code == 422
    db.session.expire_all()
    assert status.status_of(learner) == status.REVOKED
    assert all(change.reason.strip() for change in status.history(learner) if change.reason)


# --- faults ------------------------------------------------------------------------------------

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=2"


def _logged_in_cookie(client, create_user) -> str:
    user = create_user()
    client.submit("/connexion", {"email": user.email, "password": PASSWORD})
    return client.get_cookie("session").value


@pytest.mark.parametrize("url", ["/", "/annuaire", "/tableau-de-bord", "/connexion"])
def test_a_database_that_is_down_is_a_french_503(client, create_user, url):
    session = _logged_in_cookie(client, create_user)
    down = create_app(make_config(UNREACHABLE))
    down.test_client_class = FormClient
    visitor = down.test_client()
    visitor.set_cookie("session", session)
    response = visitor.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:300]
    assert "Service momentanément indisponible" in page and "Internal Server Error" not in page
    assert response.headers["Retry-After"] and response.headers["Content-Security-Policy"]


@pytest.mark.own_app
def test_a_failed_transaction_still_gets_the_french_error_page(app, client, login_as):
    app.testing = False  # let the error handler answer, as in production

    @app.get("/_panne")
    def broken():
        # A view that swallows an error leaves the transaction failed.
        with contextlib.suppress(Exception):
            db.session.execute(text("SELECT * FROM table_qui_n_existe_pas"))
        db.session.execute(text("SELECT 1"))  # fails on PostgreSQL: transaction aborted
        raise RuntimeError("panne")

    login_as()
    response = client.get("/_panne")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Erreur inattendue" in page
    assert "Mon compte" in page  # the visitor was still recognised, after the rollback
    assert ON_POSTGRES or "Internal Server Error" not in page


@pytest.fixture
def mail_down(app):
    """A mail server that does not answer: nothing listens on its port."""
    from tests.conftest import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())


def test_a_mail_server_that_is_down_is_a_french_503_for_a_reset_link(
    app, client, create_user, mail_down
):
    app.testing = False  # the error handler answers, as in production
    user = create_user()
    response = client.submit("/mot-de-passe-oublie", {"email": user.email})
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "Le serveur d&#39;e-mails ne répond pas" in page
    assert "Envoi impossible pour le moment" in page


def test_a_mail_server_that_is_down_is_a_french_503_for_the_relay(app, client, create_user):
    from annuaire.models import RelayedMessage
    from tests.conftest import free_port
    from tests.helpers import VISITOR, listed

    listing = listed(create_user, contact_mode="relais")
    app.testing = False
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    response = client.submit(f"/annuaire/{listing.id}/contact", VISITOR)
    assert response.status_code == 503
    assert "rien n&#39;a été envoyé" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(RelayedMessage.id))) == 0  # retry allowed


@pytest.mark.own_app
def test_a_connection_lost_at_the_end_of_a_request_does_not_lose_the_page(app, client):
    """The database restarts between the page and the request's final ROLLBACK."""
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    def restarted(connection):
        raise OperationalError("ROLLBACK", {}, Exception("terminating connection"))

    @app.get("/_fin")
    def page():
        db.session.execute(text("SELECT 1"))
        return "page rendue"

    event.listen(db.engine, "rollback", restarted)
    try:
        response = client.get("/_fin")
    finally:
        event.remove(db.engine, "rollback", restarted)
    assert response.status_code == 200 and response.get_data(as_text=True) == "page rendue"
