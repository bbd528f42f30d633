"""Reading statements back, in xAPI's StatementResult format."""

import base64
import json
import re
from datetime import datetime

from sqlalchemy import exists, select, tuple_
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import User, as_utc
from .models import StoredStatement
from .vocabulary import VERBS

MAX_LIMIT = 500
ASCII_DIGITS = re.compile(r"[0-9]+")


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
    try:
        return as_utc(moment)
    except OverflowError:  # 9999-12-31T23:00:00-05:00 is past the last day Python knows
        raise BadQuery(f"« {name} » est hors des dates possibles.") from None


def _agent_user_id(value: str) -> int:
    try:
        name = json.loads(value)["account"]["name"]
    except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: [[[[…]]]]
        raise BadQuery(
            "« agent » doit être un agent xAPI avec un compte : "
            '{"account": {"homePage": …, "name": …}}.'
        ) from None
    return db.session.scalar(select(User.id).where(User.pseudonym == str(name))) or -1


def _cursor(statement: StoredStatement) -> str:
    raw = json.dumps([statement.stored.isoformat(), statement.id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _after_cursor(value: str):
    """The position a `more` link carries: [stored, id] as _cursor wrote them, nothing else.

    Decoded, a hand-made cursor may hold numbers, objects or a far date; the database would
    fail comparing them to a timestamp and a text id, so its shape is checked first.
    """
    invalid = BadQuery("« cursor » est invalide : reprenez le lien « more » tel quel.")
    try:
        decoded = json.loads(base64.urlsafe_b64decode(value.encode()))
    except (ValueError, RecursionError):  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise invalid from None
    if not (
        isinstance(decoded, list)
        and len(decoded) == 2
        and all(isinstance(part, str) for part in decoded)
        and len(decoded[1]) <= 36
    ):
        raise invalid
    try:
        stored = datetime.fromisoformat(decoded[0])
    except ValueError:
        raise invalid from None
    return tuple_(StoredStatement.stored, StoredStatement.id) < tuple_(stored, decoded[1])


def _limit(value: str | None) -> int:
    """xAPI: 0 or nothing means the server's default; more than MAX_LIMIT means MAX_LIMIT."""
    if not value:
        return 100
    if not ASCII_DIGITS.fullmatch(value):  # not str.isdigit(): it takes « ² », int() does not
        raise BadQuery("« limit » doit être un entier positif.")
    digits = value.lstrip("0")
    if not digits:
        return 100
    return MAX_LIMIT if len(digits) > len(str(MAX_LIMIT)) else min(int(digits), MAX_LIMIT)


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
