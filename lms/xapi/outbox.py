"""Deliver stored statements to the LRS: batches, oldest first, retries with backoff.

tincan serialises each statement; we POST that JSON with urllib, which takes a timeout,
because tincan's RemoteLRS opens connections without one and never retries.
"""

import base64
import logging
import threading
import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import DBAPIError, DisconnectionError, PendingRollbackError, SQLAlchemyError

from ..extensions import db
from ..formatting import nombre
from ..models import utcnow
from .models import Delivery, StoredStatement
from .vocabulary import XAPI_VERSION

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a crashed forwarder's claim is taken over after this
DATABASE_RETRY_MAX = 60.0  # seconds: the loop's longest wait for the database to come back
# What a database that restarts, or a network that drops, raises through SQLAlchemy.
DATABASE_ERRORS = (DBAPIError, DisconnectionError, PendingRollbackError)
# Answers that say "this batch holds a bad statement": split it to find which.
BATCH_REFUSED = {400, 409, 413, 422}
# Answers about us, not the statement (credentials, endpoint, load): retry later.
TRANSIENT_4XX = {401, 403, 404, 408, 425, 429}


class LrsUnavailable(Exception):
    pass


class DatabaseUnavailable(Exception):
    """The database failed during a batch; the batch's rows may still carry `claim_token`."""

    def __init__(self, claim_token: str):
        super().__init__(f"base de données indisponible (lot {claim_token})")
        self.claim_token = claim_token


@dataclass
class Report:
    delivered: int = 0
    rejected: int = 0
    deferred: int = 0

    def __add__(self, other):
        return Report(
            self.delivered + other.delivered,
            self.rejected + other.rejected,
            self.deferred + other.deferred,
        )


def lrs_configured() -> bool:
    return bool(current_app.config.get("LRS_ENDPOINT"))


def post_batch(payloads: list[str]) -> tuple[int, str]:
    config = current_app.config
    credentials = f"{config['LRS_USERNAME']}:{config['LRS_PASSWORD']}".encode()
    request = Request(
        config["LRS_ENDPOINT"].rstrip("/") + "/statements",
        data=("[" + ",".join(payloads) + "]").encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
            "Authorization": "Basic " + base64.b64encode(credentials).decode(),
        },
    )
    try:
        with urlopen(request, timeout=config["LRS_TIMEOUT"]) as response:
            return response.status, response.read().decode(errors="replace")
    except HTTPError as error:
        with error:
            return error.code, error.read().decode(errors="replace")[:2000]
    except (URLError, OSError) as error:
        raise LrsUnavailable(f"LRS injoignable : {error}") from error


def _deliver(rows: list[StoredStatement]) -> Report:
    """Send rows; a refused batch is halved until the culprit stands alone."""
    status, answer = post_batch([row.payload for row in rows])
    if status in (200, 204) or (status == 409 and len(rows) == 1):
        # 409 for one statement: its id is already stored there, so it was delivered before.
        _mark(rows, Delivery.DELIVERED)
        return Report(delivered=len(rows))
    if status in BATCH_REFUSED and len(rows) > 1:
        middle = len(rows) // 2
        return _deliver(rows[:middle]) + _deliver(rows[middle:])
    if 400 <= status < 500 and status not in TRANSIENT_4XX:
        _mark(rows, Delivery.REJECTED, f"HTTP {status} : {answer}")
        log.warning("déclaration xAPI %s refusée par le LRS (HTTP %s)", rows[0].id, status)
        return Report(rejected=len(rows))
    raise LrsUnavailable(f"HTTP {status} : {answer[:500]}")


def _mark(rows, delivery: Delivery, error: str | None = None) -> None:
    now = utcnow()
    for row in rows:
        row.delivery, row.claim, row.claimed_until = delivery, None, None
        row.attempts += 1
        if delivery == Delivery.DELIVERED:
            row.delivered_at = now
        row.last_error = error


def _defer(rows, error: str) -> None:
    """LRS down: keep the statements, and try again later, waiting longer each time."""
    config, now = current_app.config, utcnow()
    for row in rows:
        if row.delivery != Delivery.PENDING or row.claim is None:
            continue
        row.attempts += 1
        wait = min(config["XAPI_RETRY_BASE"] * 2 ** (row.attempts - 1), config["XAPI_RETRY_MAX"])
        row.next_attempt_at = now + timedelta(seconds=wait)
        row.claim, row.claimed_until, row.last_error = None, None, error


def claim(batch_size: int, token: str) -> list[StoredStatement]:
    """Take the oldest waiting statements for this forwarder alone, and commit the claim.

    The outbox waits as a whole: while its oldest statement waits for a retry, the newer
    ones wait behind it, so statements always leave oldest first, even after an outage.
    PostgreSQL: concurrent forwarders skip each other's locked rows (SKIP LOCKED).
    SQLite: the UPDATE itself is the single writer.
    """
    now = utcnow()
    waiting = and_(
        StoredStatement.delivery == Delivery.PENDING,
        or_(StoredStatement.claimed_until.is_(None), StoredStatement.claimed_until < now),
    )
    oldest_retry = (
        select(StoredStatement.next_attempt_at)
        .where(waiting)
        .order_by(StoredStatement.stored, StoredStatement.id)
        .limit(1)
        .scalar_subquery()
    )
    due = (
        select(StoredStatement.id)
        .where(waiting, oldest_retry <= now)
        .order_by(StoredStatement.stored, StoredStatement.id)
        .limit(batch_size)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    db.session.execute(
        update(StoredStatement)
        .where(StoredStatement.id.in_(due))
        .values(claim=token, claimed_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(StoredStatement)
            .where(StoredStatement.claim == token)
            .order_by(StoredStatement.stored, StoredStatement.id)
        )
    )


def forward_batch() -> Report | None:
    """Claim and deliver one batch; None when nothing is due.

    Raises LrsUnavailable (the batch waits for its retry), or DatabaseUnavailable naming
    the claim that the batch may still hold in the database (see release_claims).
    """
    token = uuid.uuid4().hex  # chosen first: even a claim whose commit failed is known
    try:
        rows = claim(current_app.config["XAPI_BATCH_SIZE"], token)
        if not rows:
            return None
        try:
            report = _deliver(rows)
        except LrsUnavailable as error:
            _defer(rows, str(error))
            db.session.commit()
            raise
        db.session.commit()
        return report
    except DATABASE_ERRORS as error:
        raise DatabaseUnavailable(token) from error


def forward_pass() -> Report:
    """Deliver everything that is due now; stop at the first LRS outage."""
    total = Report()
    while True:
        try:
            report = forward_batch()
        except LrsUnavailable as error:
            waiting = pending_count()
            log.warning("LRS indisponible, %d déclaration(s) en attente : %s", waiting, error)
            return total + Report(deferred=waiting)
        if report is None:
            return total
        total += report


def release_claims(tokens: set[str]) -> None:
    """Hand back what failed batches may still hold, for the next pass rather than in LEASE.

    Some of these may have reached the LRS before the database failed. Sent again with the
    same id, the LRS keeps its copy, and they count as delivered (see _deliver): not twice.
    """
    if not tokens:
        return
    db.session.execute(
        update(StoredStatement)
        .where(StoredStatement.claim.in_(tokens), StoredStatement.delivery == Delivery.PENDING)
        .values(claim=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def forward_continuously(interval: float, stopping=None) -> None:
    """`xapi forward --loop`: a pass every `interval` seconds, until `stopping` is set.

    An LRS outage is the outbox's own business: the statements wait, with backoff. A database
    outage (restart, failover, a network cut) must not end the process either, or statements
    pile up until someone notices: roll back, drop the pool, wait longer each time, carry on.
    """
    stopping = stopping or threading.Event()
    held: set[str] = set()  # claims of batches cut short by the database
    failures, last_waiting = 0, None
    while not stopping.is_set():
        try:
            release_claims(held)
            held.clear()
            report, waiting = forward_pass(), pending_count()
        except (DatabaseUnavailable, *DATABASE_ERRORS) as error:
            if isinstance(error, DatabaseUnavailable):
                held.add(error.claim_token)
            failures += 1
            stopping.wait(_database_down(error, failures, interval))
            continue
        if failures:
            log.info("base de données de nouveau joignable, après %d essai(s) manqué(s)", failures)
        if report.delivered or report.rejected or waiting != last_waiting:
            log.info(
                "%d livrée(s), %d refusée(s), %d en attente",
                report.delivered,
                report.rejected,
                waiting,
            )
        failures, last_waiting = 0, waiting
        stopping.wait(interval)


def _database_down(error: Exception, failures: int, interval: float) -> float:
    """Forget the dead connections; return how long to wait before the next try."""
    with suppress(SQLAlchemyError):  # the connection is gone, and its transaction with it
        db.session.rollback()
    db.session.remove()
    db.engine.dispose()
    wait = min(max(interval, 0.5) * 2 ** (failures - 1), DATABASE_RETRY_MAX)
    cause = error.__cause__ or error
    lines = str(getattr(cause, "orig", None) or cause).strip().splitlines()
    reason = lines[0] if lines else type(cause).__name__
    seconds = nombre(wait, 1, zeros=False)  # 0,5 s, 2 s
    log.warning("base de données injoignable (%s) : nouvel essai dans %s s", reason, seconds)
    return wait


def pending_count() -> int:
    return db.session.scalar(
        select(func.count()).where(StoredStatement.delivery == Delivery.PENDING)
    )


def status() -> dict:
    """What the admin page shows: counts by state, last success, last error."""
    counts = dict(
        db.session.execute(
            select(StoredStatement.delivery, func.count()).group_by(StoredStatement.delivery)
        ).all()
    )
    last_error = db.session.execute(
        select(StoredStatement.last_error, StoredStatement.next_attempt_at)
        .where(
            StoredStatement.delivery == Delivery.PENDING, StoredStatement.last_error.is_not(None)
        )
        .order_by(StoredStatement.next_attempt_at.desc())
        .limit(1)
    ).first()
    return {
        "counts": {state.value: counts.get(state.value, 0) for state in Delivery},
        "last_success": db.session.scalar(select(func.max(StoredStatement.delivered_at))),
        "last_error": last_error,
        "rejected": db.session.scalars(
            select(StoredStatement)
            .where(StoredStatement.delivery == Delivery.REJECTED)
            .order_by(StoredStatement.stored.desc())
            .limit(50)
        ).all(),
        "configured": lrs_configured(),
    }
