"""record(...): an xAPI statement, as tincan would write it, stored inside the caller's transaction."""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cache, lru_cache

from flask import current_app, g, has_app_context
from sqlalchemy import String, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    LanguageMap,
    StatementRef,
)

from .. import hooks
from ..extensions import db
from ..models import utcnow
from .models import Delivery, StatementActivity, StoredStatement
from .vocabulary import ACTIVITY_TYPES, PLATFORM, VERBS, XAPI_VERSION

TRAINING_NAME = "Café IA — Formation des animateurs"


def activity_iri(*path: str) -> str:
    """Stable IRIs under the platform's base URL: /formation, /formation/modules/<slug>, …"""
    return "/".join([current_app.config["BASE_URL"], "formation", *path])


def extension_iri(name: str) -> str:
    """Our own extensions, where neither xAPI nor cmi5 defines one."""
    return current_app.config["BASE_URL"] + "/xapi/extensions/" + name


def activity(kind: str, name: str, *path: str, **definition) -> Activity:
    """An activity of one of our types; `definition` carries interaction fields if any.

    Without them (a lesson, a module…) the activity and its JSON are built once per process and
    shared: tincan's objects cost more than the statement's own INSERTs. Treat it as read-only.
    """
    if definition:
        return _activity(kind, name, *path, **definition)
    key = (current_app.config["BASE_URL"], kind, name, path)
    known = _ACTIVITIES.get(key)
    if known is None:
        if len(_ACTIVITIES) >= ACTIVITIES_KEPT:  # names made up on the fly: keep memory bounded
            _ACTIVITIES.clear()
            _JSON.clear()
        known = _ACTIVITIES[key] = _activity(kind, name, *path)
        _JSON[id(known)] = (known, known.as_version(XAPI_VERSION))
    return known


ACTIVITIES_KEPT = 4096
_ACTIVITIES: dict[tuple, Activity] = {}
_JSON: dict[int, tuple[Activity, dict]] = {}  # by id(): tincan's objects are not hashable


def _as_json(obj) -> dict:
    """obj.as_version(XAPI_VERSION), kept for the activities built once."""
    known = _JSON.get(id(obj))
    return known[1] if known and known[0] is obj else obj.as_version(XAPI_VERSION)


def _activity(kind: str, name: str, *path: str, **definition) -> Activity:
    return Activity(
        id=activity_iri(*path),
        definition=ActivityDefinition(
            type=ACTIVITY_TYPES[kind], name=LanguageMap({"fr-FR": name}), **definition
        ),
    )


def training() -> Activity:
    return activity("course", TRAINING_NAME)


def actor(user) -> Agent:
    # A pseudonymous account, never the e-mail address.
    return Agent(
        account=AgentAccount(home_page=current_app.config["BASE_URL"], name=user.pseudonym)
    )


def _cohort_of(user):
    """The cohort a feature says the person is in (hooks.COHORT_OF): statements then carry it."""
    if not has_app_context():
        return None
    cache = g.setdefault("xapi_cohorts", {})
    if user.id not in cache:
        cache[user.id] = hooks.cohort_of(user)
    return cache[user.id]


def record(
    user,
    verb: str,
    obj: Activity | StatementRef,
    *,
    result=None,
    parent=None,
    cohort=None,
    extensions=None,
) -> "Recorded":
    """Write the statement in the caller's transaction: it is committed with the caller's
    change, or not at all. Returns what was written (a Recorded, not an ORM object).

    `obj` is an Activity, or a StatementRef for « voided ».

    The payload is what tincan's Statement(...).to_json() gives (tests/lms/test_xapi_payload.py
    checks it), written as a dict: building tincan's objects cost more than the rest of a lesson
    page. The rows go in with two Core INSERTs, not through the ORM's unit of work.
    """
    iri, french, english = VERBS[verb]
    statement = {
        "id": str(uuid.uuid4()),
        "version": XAPI_VERSION,
        "actor": {
            "objectType": "Agent",
            "account": {"name": user.pseudonym, "homePage": current_app.config["BASE_URL"]},
        },
        "verb": {"id": iri, "display": {"fr-FR": french, "en-US": english}},
        "object": _as_json(obj),
    }
    if result is not None:
        statement["result"] = result.as_version(XAPI_VERSION)
    statement["timestamp"] = utcnow().isoformat()
    statement["context"] = _context_json(user, obj, parent, cohort, extensions)
    row = Recorded(
        id=statement["id"],
        user_id=user.id,
        verb=iri,
        object_id=str(obj.id),
        registration=user.registration,
        payload=json.dumps(statement),
    )
    _insert(row, _context_activities(parent))
    return row


@dataclass(frozen=True, slots=True)
class Recorded:
    """What record() wrote in the statements table (the other columns take their defaults)."""

    id: str
    user_id: int | None
    verb: str
    object_id: str
    registration: str | None
    payload: str


def _insert(row: Recorded, activities: list[str]) -> None:
    """On the session's connection, in its transaction, straight on the driver's cursor: the
    SQL and its type conversions are SQLAlchemy's, compiled once (its per-execution machinery
    cost twice the database's own work). No autoflush: the caller's rows go at its commit.
    On PostgreSQL the statement and the activities it names go in one round trip."""
    connection = db.session.connection()
    values = {name: getattr(row, name) for name in _RECORDED} | _defaults()
    if connection.dialect.name == "postgresql":
        writes = [(_pg_insert(), values | {"activities": activities})]
    else:
        named = [{"statement_id": row.id, "activity_id": a} for a in activities]
        writes = [(_statement_insert(), values), *((_activity_insert(), n) for n in named)]
    cursor = connection.connection.cursor()
    try:
        for statement, params in writes:
            sql, bind = _for_driver(statement, connection.dialect)
            cursor.execute(sql, bind(params))
    finally:
        cursor.close()


def _defaults() -> dict:
    now = utcnow()
    return {"stored": now, "delivery": Delivery.PENDING, "attempts": 0, "next_attempt_at": now}


_RECORDED = [f.name for f in fields(Recorded)]
_COLUMNS = [*_RECORDED, "stored", "delivery", "attempts", "next_attempt_at"]  # and _defaults()


@cache
def _statement_insert():
    table = StoredStatement.__table__
    return insert(table).values({name: bindparam(name) for name in _COLUMNS})


@cache
def _activity_insert():
    return insert(StatementActivity.__table__).values(
        statement_id=bindparam("statement_id"), activity_id=bindparam("activity_id")
    )


@cache
def _pg_insert():
    """WITH s AS (INSERT INTO xapi_statements … RETURNING id)
    INSERT INTO xapi_statement_activities SELECT s.id, unnest(:activities) FROM s"""
    written = _statement_insert().returning(StoredStatement.__table__.c.id).cte("written")
    activities = bindparam("activities", type_=ARRAY(String))
    named = select(written.c.id, func.unnest(activities))
    return insert(StatementActivity.__table__).from_select(["statement_id", "activity_id"], named)


@lru_cache(maxsize=16)  # per statement and dialect (an engine's dialect lives as long as it)
def _for_driver(statement, dialect) -> tuple[str, Callable[[dict], list | dict]]:
    """The statement's SQL for this dialect, and what turns named values into the driver's
    parameters, each converted as SQLAlchemy would (datetimes on SQLite, arrays…)."""
    compiled = statement.compile(dialect=dialect)
    processors = {
        name: bind.type.dialect_impl(dialect).bind_processor(dialect)
        for name, bind in compiled.binds.items()
    }
    convert = {name: process for name, process in processors.items() if process}
    order = compiled.positiontup  # None where the driver takes named parameters

    def parameters(values: dict) -> list | dict:
        converted = values | {name: process(values[name]) for name, process in convert.items()}
        return converted if order is None else [converted[name] for name in order]

    return str(compiled), parameters


def _context_json(user, obj, parent, cohort, extensions) -> dict:
    """The statement's `context`, as tincan writes it."""
    extensions = dict(extensions or {})
    cohort = cohort if cohort is not None else _cohort_of(user)
    if cohort is not None:
        extensions[extension_iri("cohorte")] = cohort
    groups = {"grouping": [_training_json()]}
    if parent is not None:
        groups = {"parent": [_as_json(parent)], **groups}
    context = {"registration": str(uuid.UUID(user.registration)), "contextActivities": groups}
    # xAPI (Data §2.4.6): platform only when the object is an Activity, not a StatementRef.
    if isinstance(obj, Activity):
        context["platform"] = PLATFORM
    context["language"] = "fr-FR"
    if extensions:
        context["extensions"] = extensions
    return context


def _training_json() -> dict:
    """The same for every statement of the platform: built once per base URL."""
    return _TRAINING.get(current_app.config["BASE_URL"]) or _TRAINING.setdefault(
        current_app.config["BASE_URL"], training().as_version(XAPI_VERSION)
    )


_TRAINING: dict[str, dict] = {}


def _context_activities(parent) -> list[str]:
    """What `related_activities` matches beyond the object (its own column): the parent. Not
    the training, which every statement names in its grouping."""
    return [parent.id] if parent is not None and parent.id != activity_iri() else []
