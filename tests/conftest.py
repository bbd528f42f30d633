"""Fixtures shared by the whole suite: a migrated database, the app, clients that carry CSRF."""

import os
import re
import socket
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from cafeia import create_app
from lms.accounts import services as accounts
from lms.config import database_url, scratch_database
from lms.extensions import db, limiter

DATABASE_URL = database_url(os.environ.get("DATABASE_URL", ""))
ON_POSTGRES = DATABASE_URL.startswith("postgresql")
PASSWORD = "mot-de-passe-solide"
FIXTURE_CONTENT = Path(__file__).parent / "courses" / "fixture_content"
FIXTURE_BANKS = Path(__file__).parent / "quizzes" / "fixture_banks"
# A small catalogue with one quiz, for the tests of the engines.
FIXTURES = {"COURSES_CONTENT": str(FIXTURE_CONTENT), "QUIZ_BANKS": str(FIXTURE_BANKS)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.hookimpl(trylast=True)  # after tests/e2e/conftest.py has marked its tests
def pytest_collection_modifyitems(items):
    """The long tests first, where pytest-xdist hands out the files in its workers' order:
    started last, a long file would keep one process busy while the others have nothing left
    to do. In one process the order stays the files' own: on PostgreSQL, the URL sweeps count
    every table's rows, and straight after the browser tests those tables are full of rows
    deleted but not yet vacuumed (the sweeps took over half an hour there instead of minutes)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_runtest_setup(item):
    # On CI (CI=true) a PostgreSQL test that cannot run is a failure, not a skip.
    if item.get_closest_marker("postgres") and not ON_POSTGRES:
        reason = "PostgreSQL requis : lancer avec DATABASE_URL=postgresql://…"
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)


def worker_database(url: str, worker: str) -> str:
    """The PostgreSQL database of one test worker, empty: the one given when the suite runs in
    one process, else a sibling named after the worker (test_gw0…), created from the one given."""
    if not scratch_database(url):
        pytest.exit("Les tests vident la base : donnez-leur une base nommée test… (DATABASE_URL).")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if worker == "master":
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            url = make_url(url).set(database=f"{make_url(url).database}_{worker}")
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
            url = url.render_as_string(hide_password=False)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory, worker_id):
    """One migrated database per worker (pytest-xdist's `-n`): a fresh SQLite file, or a
    PostgreSQL database emptied first."""
    if ON_POSTGRES:
        uri = worker_database(DATABASE_URL, worker_id)
    else:
        uri = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    app = create_app(make_config(uri))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return uri


def make_config(uri: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "clé-de-test",
        "SQLALCHEMY_DATABASE_URI": uri,
        "BASE_URL": "http://cafeia.test",
        "MAIL_SERVER": None,
        # scrypt costs ~50 ms a hash by design; the suite hashes thousands of times.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Said every time: the limiter is one object, and a test that turns it off would
        # otherwise leave it off for every app created after.
        "RATELIMIT_ENABLED": True,
        **FIXTURES,
        **overrides,
    }


class FormClient(FlaskClient):
    """A test client that fills in the CSRF token, as a browser holding the form would."""

    def open(self, *args, **kwargs):
        # Each request gets its own app context (its own `g` and database session), as in
        # production, even though the test itself holds one open.
        with self.application.app_context():
            return super().open(*args, **kwargs)

    _token = _raw_token = None

    def csrf_token(self) -> str:
        """The form token of this session, read from a page as a browser would, once per session.

        The token only changes with the secret it signs, which lives in the session: a login
        or a logout that starts a new session makes the next call read a page again.
        """
        if self._raw_token is None or self._raw_token != self._session_secret():
            page = self.get("/connexion").get_data(as_text=True)
            self._token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
            self._raw_token = self._session_secret()
        return self._token

    def _session_secret(self) -> str | None:
        if not self._cookies:
            return None
        with self.session_transaction() as session:
            return session.get("csrf_token")

    def submit(self, url: str, data: dict | None = None, **kwargs):
        return self.post(url, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs)


@pytest.fixture
def app_config() -> dict:
    """Extra configuration for the app; a test module overrides this fixture to change it."""
    return {}


class AppCache:
    """One app per distinct configuration, reused from test to test.

    Building an app costs ~75 ms (every blueprint and route compiled) and the suite has
    thousands of tests with a handful of configurations. A test may still change its app's
    config or replace an extension: both are put back as they were after each test.
    """

    SIZE = 4  # configurations alive at once; each holds a connection pool

    def __init__(self):
        self.apps: dict[str, tuple] = {}

    def get(self, config: dict):
        key = repr(sorted(config.items()))
        if key not in self.apps:
            if len(self.apps) >= self.SIZE:
                least_recent = next(iter(self.apps))
                self._dispose(self.apps.pop(least_recent)[0])
            app = create_app(config)
            app.test_client_class = FormClient
            # The limiter is one object that each app's init_app sets up (enabled, storage):
            # its settings are kept with the app and put back whenever the app is used again.
            self.apps[key] = (app, dict(app.config), dict(app.extensions), dict(vars(limiter)))
        self.apps[key] = self.apps.pop(key)  # most recently used last
        app, config, extensions, limiter_settings = self.apps[key]
        vars(limiter).update(limiter_settings)
        return app, config, extensions

    @staticmethod
    def _dispose(app):
        with app.app_context():
            db.engine.dispose()

    def close(self):
        for app, *_ in self.apps.values():
            self._dispose(app)
        self.apps.clear()


@pytest.fixture(scope="session")
def app_cache():
    cache = AppCache()
    yield cache
    cache.close()


@pytest.fixture
def app(request, database_uri, app_config, app_cache):
    own = request.node.get_closest_marker("own_app")
    cache = AppCache() if own else app_cache  # routes added by a test must not outlive it
    app, config, extensions = cache.get(make_config(database_uri, **app_config))
    with app.app_context():
        yield app
        # A large import's e-mails go out in a thread: it ends before the tables are emptied,
        # or it writes into the next test's data.
        for thread in app.extensions.get("cohort_notice_threads", []):
            thread.join()
        # Every test starts from empty tables: delete, children first.
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
    app.config.clear()
    app.config.update(config)
    app.extensions.clear()
    app.extensions.update(extensions)
    limiter.reset()
    if own:
        cache.close()


@pytest.fixture
def client(app) -> FormClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def create_user(app):
    """Factory: create_user(role="formateur", email=...) returns a committed User."""
    counter = iter(range(1, 10_000))

    def make(role="apprenant", email=None, password=PASSWORD, **profile):
        n = next(counter)
        fields = dict(
            first_name="Alex",
            last_name=f"Dupont{n}",
            profile="conseiller",
            structure="Médiathèque",
            commune="Lyon",
            departement_code="69",
        )
        return accounts.create_user(
            email=email or f"personne{n}@exemple.fr",
            password=password,
            role=role,
            **{**fields, **profile},
        )

    return make


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email, password=PASSWORD):
        return self.client.submit("/connexion", {"email": email, "password": password})

    def logout(self):
        return self.client.submit("/deconnexion")


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def login_as(create_user, auth):
    """login_as("formateur") creates a person with that role and logs them in."""

    def log_in(role="apprenant", **profile):
        user = create_user(role=role, **profile)
        auth.login(user.email)
        return user

    return log_in


class SmtpServer:
    """A real local SMTP server (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages, self.peers, self.port = [], [], free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        self.peers.append(session.peer)  # a new connection comes from a new port
        return "250 Message accepted"


@pytest.fixture
def smtp_server(app):
    """The app sends its e-mails to a local SMTP server; yields the server."""
    smtp = SmtpServer()
    smtp.controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    yield smtp
    smtp.controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    """The messages the local SMTP server received."""
    return smtp_server.messages


@pytest.fixture
def classic_draw(monkeypatch):
    """Every quiz attempt draws the fixture bank's first five questions, for tests that count
    answers per question; otherwise each attempt draws its own."""
    from quizzes import draw
    from tests.helpers import FIRST_FIVE

    monkeypatch.setattr(draw, "draw_questions", lambda quiz: [quiz.question(i) for i in FIRST_FIVE])


@pytest.fixture
def record_statements(create_user):
    """record_statements(n) records n « lesson experienced » statements for one learner."""
    from lms.xapi import activity, record

    def make(n, user=None):
        user = user or create_user()
        rows = [
            record(user, "experienced", activity("lesson", f"Leçon {i}", "lecons", f"l{i}"))
            for i in range(n)
        ]
        db.session.commit()
        return [row.id for row in rows]

    return make
