"""Reading statements back: GET /xapi/statements as xAPI 1.0.3 defines it (Communication §2.1.3).

A statement a later one voids leaves the lists and is found by `voidedStatementId` only. The
filters other than since/until/limit also match a statement whose object is a StatementRef to a
statement they match (« Filter Conditions for StatementRefs »): filtering on the verb of a voided
« earned » returns its « voided ». The platform's StatementRefs point at activity statements
only (a voiding statement cannot be voided), so one level of reference is all there is.
"""

import base64
import copy
import json
import re
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, exists, false, or_, select, true, tuple_
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import User, as_utc
from .models import StatementActivity, StoredStatement
from .recorder import activity_iri
from .vocabulary import PLATFORM, VERBS

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
ASCII_DIGITS = re.compile(r"[0-9]+")
SHA1_HEX = re.compile(r"[0-9a-f]{40}")
FILTERS = {
    *("agent", "verb", "activity", "registration", "related_activities", "related_agents"),
    *("since", "until", "limit", "format", "attachments", "ascending"),
    "cursor",  # ours: the position a `more` link carries
}
SINGLE = {"statementId", "voidedStatementId"}
FORMATS = ("exact", "ids", "canonical")
AUTHORITY_NAME = "plateforme"  # pseudonyms are 32 hex digits: no person can have this name


class BadQuery(ValueError):
    """A filter that cannot be understood; its message is shown as is, in French."""


def authority() -> dict:
    """Who vouches for every statement: the platform, which made them all."""
    return {
        "objectType": "Agent",
        "name": PLATFORM,
        "account": {"homePage": current_app.config["BASE_URL"], "name": AUTHORITY_NAME},
    }


def check_names(args) -> None:
    unknown = sorted(set(args) - FILTERS - SINGLE)
    if unknown:
        raise BadQuery(f"« {unknown[0]} » n'est pas un paramètre de GET /xapi/statements.")


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


def _boolean(args, name: str) -> bool:
    # Case-insensitive: tincan's RemoteLRS sends Python's « True ».
    value = args.get(name, "false").lower()
    if value not in ("true", "false"):
        raise BadQuery(f"« {name} » vaut true ou false.")
    return value == "true"


def _uuid(value: str, name: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise BadQuery(f"« {name} » doit être un UUID.") from None


def _iri(value: str, name: str) -> str:
    if not (urlsplit(value).scheme and len(value) <= 500):
        raise BadQuery(f"« {name} » doit être une IRI absolue, par exemple https://….")
    return value


def _agent(value: str) -> dict:
    """An Agent or an identified Group, with exactly one inverse functional identifier."""
    invalid = BadQuery(
        "« agent » doit être un agent xAPI avec un identifiant (mbox, mbox_sha1sum, openid ou "
        'account), par exemple {"account": {"homePage": …, "name": …}}.'
    )
    try:
        agent = json.loads(value)
    except (ValueError, RecursionError):  # RecursionError: [[[[…]]]]
        raise invalid from None
    if not isinstance(agent, dict) or agent.get("objectType", "Agent") not in ("Agent", "Group"):
        raise invalid
    identifiers = [key for key in ("mbox", "mbox_sha1sum", "openid", "account") if key in agent]
    if len(identifiers) != 1:
        raise invalid
    given = agent[identifiers[0]]
    valid = {
        "mbox": lambda: isinstance(given, str) and given.startswith("mailto:"),
        "mbox_sha1sum": lambda: isinstance(given, str) and SHA1_HEX.fullmatch(given.lower()),
        "openid": lambda: isinstance(given, str) and urlsplit(given).scheme,
        "account": lambda: (
            isinstance(given, dict)
            and isinstance(given.get("homePage"), str)
            and isinstance(given.get("name"), str)
            and "\x00" not in given["name"]  # decoded from \u0000: PostgreSQL refuses it
            and urlsplit(given["homePage"]).scheme
        ),
    }[identifiers[0]]()
    if not valid:
        raise invalid
    return agent


def _agent_condition(agent: dict, related: bool):
    """Statements name people by an account on the platform (its pseudonym), and carry the
    platform as authority; any other identifier matches nothing."""
    account = agent.get("account")
    if not account or account["homePage"] != current_app.config["BASE_URL"]:
        return lambda s: false()
    if agent.get("objectType") == "Group":  # every actor is a person: no group is one
        return lambda s: false()
    if related and account["name"] == AUTHORITY_NAME:
        return lambda s: true()  # the authority of every statement
    user_id = db.session.scalar(select(User.id).where(User.pseudonym == account["name"]))
    if user_id is None:
        return lambda s: false()
    return lambda s: s.user_id == user_id


def _cursor(statement: StoredStatement) -> str:
    raw = json.dumps([statement.stored.isoformat(), statement.id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _after_cursor(value: str, ascending: bool):
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
    position = tuple_(StoredStatement.stored, StoredStatement.id)
    return (
        position > tuple_(stored, decoded[1])
        if ascending
        else position < tuple_(stored, decoded[1])
    )


def _limit(value: str | None) -> int:
    """xAPI: 0 means the server's maximum; more than MAX_LIMIT means MAX_LIMIT."""
    if not value:
        return DEFAULT_LIMIT
    if not ASCII_DIGITS.fullmatch(value):  # not str.isdigit(): it takes « ² », int() does not
        raise BadQuery("« limit » doit être un entier positif.")
    digits = value.lstrip("0")
    if not digits or len(digits) > len(str(MAX_LIMIT)):
        return MAX_LIMIT
    return min(int(digits), MAX_LIMIT)


def response_format(args) -> str:
    value = args.get("format", "exact")
    if value not in FORMATS:
        raise BadQuery("« format » vaut ids, exact ou canonical.")
    if _boolean(args, "attachments"):
        raise BadQuery(
            "« attachments » vaut false : les déclarations de la plateforme n'ont pas de pièce "
            "jointe."
        )
    return value


def _voided(statement):
    """There is a « voided » statement whose object is this one."""
    voiding = aliased(StoredStatement)
    return exists().where(voiding.verb == VERBS["voided"][0], voiding.object_id == statement.id)


def single(args) -> StoredStatement | None:
    """statementId (not voided) or voidedStatementId (voided): one statement, or None."""
    check_names(args)
    names = SINGLE & set(args)
    if len(names) > 1:
        raise BadQuery("« statementId » et « voidedStatementId » s'excluent.")
    (name,) = names
    others = sorted(set(args) - {name, "format", "attachments"})
    if others:
        raise BadQuery(
            f"« {name} » ne se combine qu'avec « format » et « attachments », pas « {others[0]} »."
        )
    response_format(args)
    wanted = _uuid(args[name], name)
    voided = _voided(StoredStatement)
    if name == "statementId":
        voided = ~voided
    return db.session.scalar(select(StoredStatement).where(StoredStatement.id == wanted, voided))


def _naming(iri: str):
    """Statements that name the activity, as their object or in their context. The context's
    are one lookup of the activity's index (an IN, not a probe per statement)."""
    if iri == activity_iri():  # the training: every statement names it in its grouping
        return lambda s: true()
    in_context = select(StatementActivity.statement_id).where(StatementActivity.activity_id == iri)
    return lambda s: or_(s.object_id == iri, s.id.in_(in_context))


def _in_registration(registration: str):
    """A registration is one person's (users.registration): their statements are found by
    the person's index, which every statement's write needs anyway."""
    people = select(User.id).where(User.registration == registration)
    return lambda s: and_(s.user_id.in_(people), s.registration == registration)


def query(args, user_id: int | None = None) -> tuple[list[StoredStatement], str | None]:
    """Statements matching xAPI filters, newest first (or oldest: `ascending`); a page and the
    next cursor."""
    check_names(args)
    if SINGLE & set(args):
        raise BadQuery("« statementId » et « voidedStatementId » ne s’emploient pas ici.")
    response_format(args)
    ascending = _boolean(args, "ascending")
    conditions = []  # each a function of a statement: it matches, or its target does
    if args.get("agent"):
        agent = _agent(args["agent"])
        conditions.append(_agent_condition(agent, _boolean(args, "related_agents")))
    if args.get("verb"):
        verb = _iri(args["verb"], "verb")
        conditions.append(lambda s: s.verb == verb)
    if args.get("activity"):
        iri = _iri(args["activity"], "activity")
        if _boolean(args, "related_activities"):
            conditions.append(_naming(iri))
        else:
            conditions.append(lambda s: s.object_id == iri)
    if args.get("registration"):
        conditions.append(_in_registration(_uuid(args["registration"], "registration")))
    for name in ("related_activities", "related_agents"):
        _boolean(args, name)  # checked even without the filter they widen

    target = aliased(StoredStatement)  # the statement a StatementRef points at, if any
    statement = (
        select(StoredStatement)
        .outerjoin(target, target.id == StoredStatement.object_id)
        .where(~_voided(StoredStatement))
    )
    if conditions:
        statement = statement.where(
            or_(
                and_(*(c(StoredStatement) for c in conditions)),
                and_(target.id.is_not(None), *(c(target) for c in conditions)),
            )
        )
    if user_id is not None:
        statement = statement.where(StoredStatement.user_id == user_id)
    if args.get("since"):
        statement = statement.where(StoredStatement.stored > _parse_time(args["since"], "since"))
    if args.get("until"):
        statement = statement.where(StoredStatement.stored <= _parse_time(args["until"], "until"))
    if args.get("cursor"):
        statement = statement.where(_after_cursor(args["cursor"], ascending))
    order = (StoredStatement.stored, StoredStatement.id)
    if not ascending:
        order = tuple(column.desc() for column in order)
    limit = _limit(args.get("limit"))
    rows = db.session.scalars(statement.order_by(*order).limit(limit + 1)).all()
    return rows[:limit], (_cursor(rows[limit - 1]) if len(rows) > limit else None)


def as_xapi(row: StoredStatement, form: str = "exact", languages=None) -> dict:
    """The statement as recorded, with `stored` and `authority` set by the store.

    `ids` keeps only what identifies agents, verbs and activities; `canonical` keeps, of each
    language map, the language the client prefers (`languages`: its Accept-Language).
    """
    statement = {
        **json.loads(row.payload),
        "authority": authority(),
        "stored": as_utc(row.stored).isoformat(),
    }
    if form == "ids":
        return _ids_only(statement)
    if form == "canonical":
        return _one_language(statement, languages)
    return statement


def _ids_only(statement: dict) -> dict:
    statement = copy.deepcopy(statement)
    for key in ("actor", "authority"):
        statement[key].pop("name", None)
    statement["verb"] = {"id": statement["verb"]["id"]}
    if statement["object"].get("objectType", "Activity") == "Activity":
        statement["object"] = {"objectType": "Activity", "id": statement["object"]["id"]}
    activities = statement.get("context", {}).get("contextActivities", {})
    for group, listed in activities.items():
        activities[group] = [{"objectType": "Activity", "id": a["id"]} for a in listed]
    return statement


LANGUAGE_MAPS = {"display", "name", "description"}


def _one_language(value, languages):
    """Each language map ({"fr-FR": …, "en-US": …}) reduced to the best language."""
    if isinstance(value, list):
        return [_one_language(item, languages) for item in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        if key in LANGUAGE_MAPS and isinstance(item, dict) and item:
            best = (languages.best_match(item) if languages else None) or next(iter(item))
            result[key] = {best: item[best]}
        elif key != "extensions":
            result[key] = _one_language(item, languages)
        else:
            result[key] = item
    return result


def all_for(user_id: int) -> list[StoredStatement]:
    return db.session.scalars(
        select(StoredStatement)
        .where(StoredStatement.user_id == user_id)
        .order_by(StoredStatement.stored, StoredStatement.id)
    ).all()
