"""record(...): build a statement with tincan and store it inside the caller's transaction."""

import uuid

from flask import current_app, g, has_app_context
from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    Context,
    ContextActivities,
    Extensions,
    LanguageMap,
    Statement,
    StatementRef,
    Verb,
)

from .. import hooks
from ..extensions import db
from ..models import utcnow
from .models import StatementActivity, StoredStatement
from .vocabulary import ACTIVITY_TYPES, PLATFORM, VERBS

TRAINING_NAME = "Café IA — Formation des animateurs"


def activity_iri(*path: str) -> str:
    """Stable IRIs under the platform's base URL: /formation, /formation/modules/<slug>, …"""
    return "/".join([current_app.config["BASE_URL"], "formation", *path])


def extension_iri(name: str) -> str:
    """Our own extensions, where neither xAPI nor cmi5 defines one."""
    return current_app.config["BASE_URL"] + "/xapi/extensions/" + name


def activity(kind: str, name: str, *path: str, **definition) -> Activity:
    """An activity of one of our types; `definition` carries interaction fields if any."""
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


def _context(user, obj, parent, cohort, extensions) -> Context:
    extensions = dict(extensions or {})
    cohort = cohort if cohort is not None else _cohort_of(user)
    if cohort is not None:
        extensions[extension_iri("cohorte")] = cohort
    return Context(
        registration=uuid.UUID(user.registration),
        context_activities=ContextActivities(
            parent=[parent] if parent is not None else None, grouping=[training()]
        ),
        # xAPI (Data §2.4.6): platform only when the object is an Activity, not a StatementRef.
        platform=PLATFORM if isinstance(obj, Activity) else None,
        language="fr-FR",
        extensions=Extensions(extensions) if extensions else None,
    )


def record(
    user,
    verb: str,
    obj: Activity | StatementRef,
    *,
    result=None,
    parent=None,
    cohort=None,
    extensions=None,
) -> StoredStatement:
    """Add the statement to the session: it is committed with the caller's change, or not at all.

    `obj` is an Activity, or a StatementRef for « voided ».
    """
    iri, french, english = VERBS[verb]
    statement = Statement(
        id=uuid.uuid4(),
        actor=actor(user),
        verb=Verb(id=iri, display=LanguageMap({"fr-FR": french, "en-US": english})),
        object=obj,
        result=result,
        context=_context(user, obj, parent, cohort, extensions),
        timestamp=utcnow(),
    )
    stored = StoredStatement(
        id=str(statement.id),
        user_id=user.id,
        verb=iri,
        object_id=str(obj.id),
        registration=user.registration,
        payload=statement.to_json(),
        activities=[StatementActivity(activity_id=a) for a in _activities_named(statement)],
    )
    db.session.add(stored)
    return stored


def _activities_named(statement: Statement) -> set[str]:
    """The object if it is an activity, and every context activity: what
    `related_activities` matches."""
    named = [statement.object] if isinstance(statement.object, Activity) else []
    groups = statement.context.context_activities
    for group in (groups.parent, groups.grouping, groups.category, groups.other):
        named += group or []
    return {a.id for a in named}
