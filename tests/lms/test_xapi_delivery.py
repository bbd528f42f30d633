"""Delivery to a real Ralph LRS: exactly once, through outages, around invalid statements."""

import json
import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import utcnow
from lms.xapi import outbox
from lms.xapi.models import Delivery, StoredStatement
from tests.lrs.server import RALPH_PYTHON, RalphServer

pytestmark = pytest.mark.lrs


@pytest.fixture(scope="session")
def ralph(tmp_path_factory):
    if not RALPH_PYTHON.exists():
        pytest.fail("Ralph manque : make test l'installe (tests/lrs/install.sh)")
    server = RalphServer(tmp_path_factory.mktemp("ralph"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def lrs(app, ralph):
    app.config.update(
        LRS_ENDPOINT=ralph.endpoint,
        LRS_USERNAME=ralph.username,
        LRS_PASSWORD=ralph.password,
        LRS_TIMEOUT=5,
        XAPI_RETRY_BASE=0,
    )
    return ralph


def rows() -> list[StoredStatement]:
    db.session.expire_all()
    return db.session.scalars(select(StoredStatement).order_by(StoredStatement.stored)).all()


def same_statement(ours: dict, theirs: dict) -> bool:
    """Equal content: every field we sent, as the LRS gives it back."""

    def moment(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))

    return all(
        ours[key] == theirs[key] for key in ("id", "actor", "verb", "object", "context")
    ) and moment(ours["timestamp"]) == moment(theirs["timestamp"])


def assert_in_lrs_exactly_once(ralph, statements: list[StoredStatement]):
    in_lrs = ralph.statements()
    counts = Counter(s["id"] for s in in_lrs)
    by_id = {s["id"]: s for s in in_lrs}
    for row in statements:
        assert counts[row.id] == 1, row.id
        assert same_statement(json.loads(row.payload), by_id[row.id])


def test_a_thousand_statements_arrive_exactly_once(lrs, record_statements):
    record_statements(1000)
    report = outbox.forward_pass()
    assert report == outbox.Report(delivered=1001)  # and the learner's registration
    assert {(r.delivery, r.attempts) for r in rows()} == {(Delivery.DELIVERED, 1)}
    assert_in_lrs_exactly_once(lrs, rows())
    assert outbox.forward_pass() == outbox.Report()  # nothing left, nothing sent again


def test_nothing_is_lost_while_the_lrs_is_down(lrs, record_statements):
    lrs.stop()
    try:
        record_statements(50)
        report = outbox.forward_pass()
        assert report.delivered == 0 and report.deferred == 51
        assert all(r.delivery == Delivery.PENDING and "injoignable" in r.last_error for r in rows())
    finally:
        lrs.start()
    assert outbox.forward_pass().delivered == 51
    assert_in_lrs_exactly_once(lrs, rows())


@pytest.fixture
def clock(monkeypatch):
    """The outbox's clock, set by the test: waits are checked exactly, whatever the load."""
    now = {"value": utcnow()}
    monkeypatch.setattr(outbox, "utcnow", lambda: now["value"])
    return now


def waits_after(moment: datetime) -> set[timedelta]:
    """How long after `moment` each statement is due (SQLite gives back naive UTC times)."""
    return {r.next_attempt_at.replace(tzinfo=None) - moment.replace(tzinfo=None) for r in rows()}


def test_retries_back_off(app, lrs, record_statements, clock):
    app.config["XAPI_RETRY_BASE"] = 60
    record_statements(3)
    clock["value"] += timedelta(seconds=1)  # the rows were stored before this moment
    failed_at = clock["value"]
    lrs.stop()
    try:
        outbox.forward_pass()
    finally:
        lrs.start()
    assert waits_after(failed_at) == {timedelta(seconds=60)}
    assert outbox.forward_pass() == outbox.Report()  # not due yet: the LRS is left alone
    clock["value"] = failed_at = failed_at + timedelta(seconds=61)
    lrs.stop()
    try:
        outbox.forward_pass()  # second failure: twice as long
    finally:
        lrs.start()
    assert waits_after(failed_at) == {timedelta(seconds=120)}
    clock["value"] += timedelta(seconds=121)
    assert outbox.forward_pass().delivered == 4
    assert_in_lrs_exactly_once(lrs, rows())


def test_after_an_outage_the_oldest_statements_still_go_first(
    app, lrs, create_user, record_statements, clock
):
    app.config.update(XAPI_RETRY_BASE=60, XAPI_BATCH_SIZE=2)
    learner = create_user()  # and their registration statement: 4 old statements in all
    old = record_statements(3, user=learner)
    clock["value"] += timedelta(seconds=1)
    lrs.stop()
    try:
        outbox.forward_pass()
    finally:
        lrs.start()
    new = record_statements(2, user=learner)  # recorded while the old ones wait for their retry
    assert outbox.forward_pass() == outbox.Report()  # the new ones wait behind the old
    clock["value"] += timedelta(seconds=61)
    batches = []
    while report := outbox.forward_batch():
        batches.append({r.id for r in rows() if r.delivery == Delivery.DELIVERED})
    assert len(batches) == 3
    # Each batch delivered the oldest that were left: the registration and `old` before `new`.
    assert set(old) <= batches[1] and not set(new) & batches[1]
    assert report is None and {r.delivery for r in rows()} == {Delivery.DELIVERED}


def test_an_invalid_statement_is_set_aside_and_the_others_go(
    client, lrs, login_as, record_statements
):
    ids = record_statements(10)
    bad = db.session.get(StoredStatement, ids[4])
    payload = json.loads(bad.payload)
    del payload["verb"]
    bad.payload = json.dumps(payload)
    db.session.commit()

    report = outbox.forward_pass()
    assert report == outbox.Report(delivered=10, rejected=1)
    rejected = db.session.get(StoredStatement, ids[4])
    db.session.refresh(rejected)
    assert rejected.delivery == Delivery.REJECTED and "HTTP 422" in rejected.last_error
    assert_in_lrs_exactly_once(lrs, [r for r in rows() if r.id != ids[4]])
    assert ids[4] not in lrs.statement_ids()

    login_as("admin")
    page = client.get("/admin/xapi").get_data(as_text=True)
    assert ids[4] in page and "HTTP 422" in page


def test_an_id_already_in_the_lrs_counts_as_delivered(lrs, record_statements):
    ids = record_statements(6)
    identical = json.loads(db.session.get(StoredStatement, ids[1]).payload)
    differing = json.loads(db.session.get(StoredStatement, ids[3]).payload)
    differing["object"]["id"] += "-ailleurs"
    assert lrs.request("POST", "/xAPI/statements", [identical, differing])[0] == 200

    report = outbox.forward_pass()
    assert report == outbox.Report(delivered=7)
    assert {r.delivery for r in rows()} == {Delivery.DELIVERED}
    assert_in_lrs_exactly_once(lrs, [r for r in rows() if r.id != ids[3]])


def test_forward_command(app, runner, lrs, record_statements):
    record_statements(5)
    result = runner.invoke(args=["lms", "xapi", "forward"])
    assert result.exit_code == 0 and "6 livrée(s)" in result.output
    app.config["LRS_ENDPOINT"] = None
    result = runner.invoke(args=["lms", "xapi", "forward"])
    assert result.exit_code != 0 and "LRS_ENDPOINT" in result.output


@pytest.mark.postgres
def test_two_forwarders_never_send_the_same_statement(app, lrs, record_statements):
    app.config["XAPI_BATCH_SIZE"] = 25
    for _ in range(6):
        record_statements(100)
    reports, errors = [], []

    def forwarder():
        try:
            with app.app_context():
                reports.append(outbox.forward_pass())
        except Exception as error:  # surfaced below, with the thread's own error
            errors.append(error)

    threads = [threading.Thread(target=forwarder) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.delivered for r in reports) == 606
    assert all(r.delivered > 0 for r in reports), "both forwarders should have worked"
    assert {(r.delivery, r.attempts) for r in rows()} == {(Delivery.DELIVERED, 1)}
    assert_in_lrs_exactly_once(lrs, rows())
