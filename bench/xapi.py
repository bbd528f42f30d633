"""xAPI costs: recording in a request, and delivering through the outbox."""

import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from flask import render_template
from flask_login import current_user, login_required
from tincan import RemoteLRS, Statement

from lms.extensions import db
from lms.xapi import activity, outbox, record

from .accounts import PASSWORD

REQUESTS = 400
ROUNDS = 10
STATEMENTS = 2000
BATCH = 100


def _paired_rates(client, path: str, baseline_path: str) -> tuple[float, float]:
    """Both pages in ROUNDS alternating batches: the median of the batches' ratios, so that
    the machine's noise weighs on both alike (returned as the two rates it implies)."""
    for _ in range(20):  # warm up
        client.get(path), client.get(baseline_path)
    pairs = []
    for _ in range(ROUNDS):
        pairs.append((_rate(client, path), _rate(client, baseline_path)))
    ratio = statistics.median(page / base for page, base in pairs)
    base = statistics.median(base for _, base in pairs)
    return base * ratio, base


def _rate(client, path: str) -> float:
    started = time.perf_counter()
    for _ in range(REQUESTS // ROUNDS):
        assert client.get(path).status_code == 200
    return REQUESTS // ROUNDS / (time.perf_counter() - started)


def bench_recording(app, learner):
    """The same page writing the same progress, with and without its statement, for the
    person signed in (their user load, as every page has it, reads their cohort)."""
    lesson = ("lesson", "Leçon de banc d'essai", "lecons", "banc")

    def page(recorded: bool):
        user = current_user._get_current_object()
        user.commune = uuid.uuid4().hex[:8]  # stands for the progress the page records
        if recorded:
            record(user, "experienced", activity(*lesson))
        db.session.commit()
        return render_template("pages/dashboard.html", page_title="Banc")

    app.add_url_rule("/banc/avec", "bench_with", login_required(lambda: page(True)))
    app.add_url_rule("/banc/sans", "bench_without", login_required(lambda: page(False)))
    email = learner.email

    def measure():
        client = app.test_client()
        signed_in = client.post("/connexion", data={"email": email, "password": PASSWORD})
        assert signed_in.status_code == 302
        return _paired_rates(client, "/banc/avec", "/banc/sans")

    with_record, without = outside_app_context(measure)
    return (
        "page qui écrit une progression et sa déclaration [objectif ≥ 0,9]",
        with_record,
        "la même page, même écriture, sans déclaration",
        without,
        "req/s",
    )


def outside_app_context(work):
    """Run `work` in a thread of its own: each request then has its own app context, as under
    gunicorn (the bench's own context would keep the session and the signed-in user)."""
    results, errors = [], []

    def run():
        try:
            results.append(work())
        except BaseException as error:  # raised again in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


def bench_delivery(app, learner):
    """Outbox delivery to Ralph versus posting the same batches to Ralph with tincan."""
    from tests.lrs.server import RalphServer

    with RalphServer(Path(tempfile.mkdtemp())) as ralph:
        app.config.update(
            LRS_ENDPOINT=ralph.endpoint,
            LRS_USERNAME=ralph.username,
            LRS_PASSWORD=ralph.password,
            XAPI_BATCH_SIZE=BATCH,
        )
        outbox.forward_pass()  # what earlier benches left
        for i in range(STATEMENTS):
            record(learner, "experienced", activity("lesson", f"Leçon {i}", "lecons", f"l{i}"))
        db.session.commit()
        started = time.perf_counter()
        delivered = outbox.forward_pass().delivered
        via_outbox = delivered / (time.perf_counter() - started)

        payloads = []
        for i in range(STATEMENTS):
            row = record(
                learner, "experienced", activity("lesson", f"Direct {i}", "direct", f"d{i}")
            )
            payloads.append(Statement.from_json(row.payload))
        db.session.rollback()  # these go straight to the LRS, never through the outbox
        lrs = RemoteLRS(endpoint=ralph.endpoint, username=ralph.username, password=ralph.password)
        started = time.perf_counter()
        for start in range(0, STATEMENTS, BATCH):
            assert lrs.save_statements(payloads[start : start + BATCH]).success
        direct = STATEMENTS / (time.perf_counter() - started)
    return (
        "livraison par la file d'envoi (outbox)",
        via_outbox,
        "mêmes lots postés directement avec tincan",
        direct,
        "décl./s",
    )
