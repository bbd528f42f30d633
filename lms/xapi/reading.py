"""Reading statements back, in xAPI's StatementResult format."""

import base64
import json
from datetime import datetime

from sqlalchemy import exists, select, tuple_
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import User, as_utc
from .models import StoredStatement
from .vocabulary import VERBS

MAX_LIMIT = 500


class BadQuery(ValueError):
    """A filter that cannot be understood; its message is shown as is, in French."""


def _parse_time(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadQuery(
            f"« {name} » doit être une date ISO 8601, par exemple 2026-01-31T12:00:00Z."
        ) from None
    if moment.tzinfo is None:
        raise BadQuery(f"« {name} » doit préciser son fuseau horaire (Z ou +01:00).")
    return as_utc(moment)


def _agent_user_id(value: str) -> int:
    try:
        name = json.loads(value)["account"]["name"]
    except (ValueError, KeyError, TypeError):
        raise BadQuery(
            "« agent » doit être un agent xAPI avec un compte : "
            '{"account": {"homePage": …, "name": …}}.'
        ) from None
    return db.session.scalar(select(User.id).where(User.pseudonym == str(name))) or -1


def _cursor(statement: StoredStatement) -> str:
    raw = json.dumps([statement.stored.isoformat(), statement.id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _after_cursor(value: str):
    try:
        stored, statement_id = json.loads(base64.urlsafe_b64decode(value.encode()))
        return tuple_(StoredStatement.stored, StoredStatement.id) < tuple_(
            datetime.fromisoformat(stored), statement_id
        )
    except (ValueError, TypeError):
        raise BadQuery("« cursor » est invalide : reprenez le lien « more » tel quel.") from None


def _limit(value: str | None) -> int:
    if value in (None, "", "0"):
        return 100
    if not value.isdigit():
        raise BadQuery("« limit » doit être un entier positif.")
    return min(int(value), MAX_LIMIT)


def query(args, user_id: int | None = None) -> tuple[list[StoredStatement], str | None]:
    """Statements matching xAPI filters, newest first; returns a page and the next cursor.

    As xAPI 1.0.3 asks, a statement that a later one voids is left out (the voiding one stays).
    """
    voiding = aliased(StoredStatement)
    voided = exists().where(
        voiding.verb == VERBS["voided"][0], voiding.object_id == StoredStatement.id
    )
    statement = select(StoredStatement).where(~voided)
    if user_id is not None:
        statement = statement.where(StoredStatement.user_id == user_id)
    if args.get("agent"):
        statement = statement.where(StoredStatement.user_id == _agent_user_id(args["agent"]))
    for name, column in (
        ("verb", StoredStatement.verb),
        ("activity", StoredStatement.object_id),
        ("registration", StoredStatement.registration),
    ):
        if args.get(name):
            statement = statement.where(column == args[name])
    if args.get("since"):
        statement = statement.where(StoredStatement.stored > _parse_time(args["since"], "since"))
    if args.get("until"):
        statement = statement.where(StoredStatement.stored <= _parse_time(args["until"], "until"))
    if args.get("cursor"):
        statement = statement.where(_after_cursor(args["cursor"]))
    limit = _limit(args.get("limit"))
    rows = db.session.scalars(
        statement.order_by(StoredStatement.stored.desc(), StoredStatement.id.desc()).limit(
            limit + 1
        )
    ).all()
    return rows[:limit], (_cursor(rows[limit - 1]) if len(rows) > limit else None)


def as_xapi(row: StoredStatement) -> dict:
    """The statement as recorded, with `stored` set by the store."""
    return {**json.loads(row.payload), "stored": as_utc(row.stored).isoformat()}


def all_for(user_id: int) -> list[StoredStatement]:
    return db.session.scalars(
        select(StoredStatement)
        .where(StoredStatement.user_id == user_id)
        .order_by(StoredStatement.stored, StoredStatement.id)
    ).all()
