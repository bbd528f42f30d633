"""The forwarder (`xapi forward --loop`) carries on through database and LRS outages, and
says how many statements truly wait; every statement still reaches the LRS exactly once."""

import logging
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from cafeia import create_app
from lms.accounts import services as accounts
from lms.extensions import db
from lms.models import User
from lms.xapi import activity, outbox, record
from lms.xapi.models import Delivery, StoredStatement
from tests.conftest import PASSWORD, make_config
from tests.lrs.server import RALPH_PYTHON, RalphServer, bind_port
from tests.pgcluster import PostgresCluster

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ralph(tmp_path):
    if not RALPH_PYTHON.exists():
        pytest.fail("Ralph manque : make test l'installe (tests/lrs/install.sh)")
    server = RalphServer(tmp_path / "ralph")
    server.start()
    yield server
    server.stop()


def pending() -> int:
    db.session.expire_all()
    return outbox.pending_count()


def test_the_waiting_count_is_every_pending_statement_not_the_batch(
    app, runner, record_statements, caplog
):
    """« 0 en attente » was printed while thousands waited for their retry."""
    app.config.update(
        LRS_ENDPOINT=f"http://127.0.0.1:{bind_port()}/xAPI/",  # nobody listens there
        XAPI_BATCH_SIZE=10,
        XAPI_RETRY_BASE=60,
    )
    record_statements(35)  # and the learner's registration: 36
    with caplog.at_level(logging.WARNING, logger="lms.xapi.outbox"):
        first = runner.invoke(args=["lms", "xapi", "forward"])
    assert "0 livrée(s), 0 refusée(s), 36 en attente." in first.output
    assert "LRS indisponible, 36 déclaration(s) en attente" in caplog.text
    second = runner.invoke(args=["lms", "xapi", "forward"])  # nothing due before a minute
    assert "0 livrée(s), 0 refusée(s), 36 en attente." in second.output


class StopWhenDelivered:
    """Stands for the loop's stop event: set once nothing waits; records the loop's pauses."""

    def __init__(self):
        self.pauses = []

    def is_set(self) -> bool:
        return pending() == 0 or len(self.pauses) > 20

    def wait(self, seconds: float) -> None:
        self.pauses.append(seconds)


@pytest.mark.lrs
def test_a_batch_cut_short_by_the_database_goes_again_at_once_and_arrives_once(
    app, ralph, record_statements, monkeypatch, caplog
):
    """The worst moment: the LRS holds the batch, the database fails before it knows."""
    app.config.update(
        LRS_ENDPOINT=ralph.endpoint,
        LRS_USERNAME=ralph.username,
        LRS_PASSWORD=ralph.password,
        XAPI_BATCH_SIZE=10,
    )
    ids = record_statements(24)
    mark, calls = outbox._mark, []

    def database_fails_once(rows, *args):
        calls.append(len(rows))
        if len(calls) == 1:
            cut = Exception("server closed the connection unexpectedly")
            raise OperationalError("UPDATE xapi_statements", {}, cut)
        return mark(rows, *args)

    monkeypatch.setattr(outbox, "_mark", database_fails_once)
    loop = StopWhenDelivered()
    with caplog.at_level(logging.INFO, logger="lms.xapi.outbox"):
        outbox.forward_continuously(0.5, loop)
    # Released at once, not after the 5-minute lease: the first pause is the backoff.
    assert loop.pauses[0] == 0.5 and len(loop.pauses) < 5
    down = "base de données injoignable (server closed the connection unexpectedly)"
    assert f"{down} : nouvel essai dans 0,5 s" in caplog.text
    assert "base de données de nouveau joignable" in caplog.text
    db.session.expire_all()
    rows = db.session.scalars(select(StoredStatement)).all()
    assert {r.delivery for r in rows} == {Delivery.DELIVERED} and len(rows) == 25
    in_lrs = Counter(ralph.statement_ids())
    assert set(in_lrs) == {r.id for r in rows} and set(in_lrs.values()) == {1}
    assert set(ids) <= set(in_lrs)


# The real thing: the command as it runs in production, a PostgreSQL server of its own that
# is restarted under it, a real Ralph stopped and started again.


@pytest.fixture
def private_postgres():
    cluster = PostgresCluster()
    cluster.start()
    yield cluster
    cluster.destroy()


@pytest.fixture
def platform(private_postgres):
    """The platform's side, on the private server: it records, the forwarder delivers."""
    uri = private_postgres.create_database("test_forwarder")
    app = create_app(make_config(uri))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def forwarder(platform, ralph, tmp_path):
    log_path = tmp_path / "forwarder.log"
    env = {
        **os.environ,
        "DATABASE_URL": platform.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "clé-de-test",
        "LRS_ENDPOINT": ralph.endpoint,
        "LRS_USERNAME": ralph.username,
        "LRS_PASSWORD": ralph.password,
        "LRS_TIMEOUT": "2",
        "XAPI_BATCH_SIZE": "20",
        "XAPI_RETRY_BASE": "0.2",
        "XAPI_RETRY_MAX": "1",
        "LOG_LEVEL": "INFO",
    }
    command = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "lms", "xapi", "forward"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*command, "--loop", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log_path = log_path
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def record_lessons(learner_id: int, count: int, prefix: str) -> None:
    learner = db.session.get(User, learner_id)
    for i in range(count):
        record(learner, "experienced", activity("lesson", f"Leçon {i}", prefix, f"{prefix}{i}"))
    db.session.commit()


def wait_until(condition, forwarder, timeout: float = 60) -> None:
    """Poll, while the forwarder lives; its log explains a failure."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert forwarder.poll() is None, forwarder.log_path.read_text()
        assert time.monotonic() < deadline, forwarder.log_path.read_text()
        time.sleep(0.05)


def wait_until_delivered(ralph, forwarder, expected: int) -> None:
    wait_until(lambda: not pending() and len(ralph.statement_ids()) >= expected, forwarder)


@pytest.mark.lrs
def test_the_forwarder_outlives_a_database_restart_and_an_lrs_outage(
    platform, private_postgres, ralph, forwarder
):
    learner = accounts.create_user(
        email="apprenante@exemple.fr",
        password=PASSWORD,
        role="apprenant",
        first_name="Alex",
        last_name="Dupont",
        profile="conseiller",
        structure="Médiathèque",
        commune="Lyon",
        departement_code="69",
    ).id
    record_lessons(learner, 100, "avant")
    wait_until_delivered(ralph, forwarder, 101)

    ralph.stop()
    record_lessons(learner, 100, "lrs-arrete")
    time.sleep(2)  # the forwarder tries, and keeps them
    ralph.start()

    record_lessons(learner, 300, "pendant")
    wait_until(lambda: pending() < 350, forwarder)  # the LRS is back, deliveries have begun
    db.session.remove()  # the test's own connection is back in its pool…
    private_postgres.restart(down_for=2)  # …and the deliveries under way are cut
    db.engine.dispose()
    record_lessons(learner, 100, "apres")
    wait_until_delivered(ralph, forwarder, 601)

    ours = db.session.scalars(select(StoredStatement.id)).all()
    theirs = Counter(ralph.statement_ids())
    assert len(ours) == 601 and set(theirs) == set(ours)
    assert [i for i, n in theirs.items() if n > 1] == []
    assert (
        db.session.scalar(
            select(func.count()).where(StoredStatement.delivery != Delivery.DELIVERED)
        )
        == 0
    )

    log = forwarder.log_path.read_text()
    assert "LRS indisponible" in log and "base de données injoignable" in log, log
    assert "base de données de nouveau joignable" in log, log
    forwarder.send_signal(signal.SIGTERM)  # ends after its batch, cleanly
    assert forwarder.wait(timeout=10) == 0, log
