"""record() writes its payload as a dict, for speed: it must be exactly what tincan's
Statement(...).to_json() gave from the same parts, and what tincan reads back unchanged."""

import json
import uuid
from datetime import datetime

import pytest
from sqlalchemy import select
from tincan import (
    Agent,
    AgentAccount,
    Context,
    ContextActivities,
    Extensions,
    LanguageMap,
    Result,
    Score,
    Statement,
    StatementRef,
    Verb,
)

from lms.extensions import db
from lms.xapi import activity, extension_iri, record, training
from lms.xapi.models import StatementActivity, StoredStatement
from lms.xapi.vocabulary import PLATFORM, VERBS


def tincan_statement(user, verb, obj, payload, result=None, parent=None, extensions=None):
    """The statement as the recorder built it before, with tincan, from the same parts."""
    iri, french, english = VERBS[verb]
    return Statement(
        id=uuid.UUID(payload["id"]),
        actor=Agent(account=AgentAccount(home_page="http://cafeia.test", name=user.pseudonym)),
        verb=Verb(id=iri, display=LanguageMap({"fr-FR": french, "en-US": english})),
        object=obj,
        result=result,
        context=Context(
            registration=uuid.UUID(user.registration),
            context_activities=ContextActivities(
                parent=[parent] if parent is not None else None, grouping=[training()]
            ),
            platform=PLATFORM if not isinstance(obj, StatementRef) else None,
            language="fr-FR",
            extensions=Extensions(extensions) if extensions else None,
        ),
        timestamp=datetime.fromisoformat(payload["timestamp"]),
    )


@pytest.mark.parametrize("kind", ["lesson", "quiz", "voided", "extension"])
def test_the_payload_is_what_tincan_writes(app, create_user, kind):
    learner = create_user()
    module = activity("module", "Module un", "modules", "module-un")
    lesson = activity("lesson", "Leçon", "modules", "module-un", "lecons", "l1")
    parts = {
        "lesson": dict(verb="experienced", obj=lesson, parent=module),
        "quiz": dict(
            verb="passed",
            obj=module,
            result=Result(success=True, score=Score(raw=4, min=0, max=5, scaled=0.8)),
        ),
        "voided": dict(verb="voided", obj=StatementRef(id=uuid.uuid4())),
        "extension": dict(
            verb="experienced", obj=lesson, extensions={extension_iri("essai"): "valeur"}
        ),
    }[kind]
    options = {k: v for k, v in parts.items() if k not in ("verb", "obj")}
    row = record(learner, parts["verb"], parts["obj"], **options)
    db.session.commit()
    stored = db.session.get(StoredStatement, row.id)
    payload = json.loads(stored.payload)
    expected = tincan_statement(learner, payload=payload, **parts)
    assert payload == json.loads(expected.to_json())
    assert json.loads(Statement.from_json(stored.payload).to_json()) == payload
    assert stored.delivery == "pending" and stored.attempts == 0 and stored.stored
    named = set(
        db.session.scalars(
            select(StatementActivity.activity_id).where(StatementActivity.statement_id == row.id)
        )
    )
    parents = {parts["parent"].id} if "parent" in parts else set()
    assert named == parents  # the object has its column; the training, every statement names


def test_a_statement_is_rolled_back_with_its_transaction(create_user):
    learner = create_user()
    row = record(learner, "experienced", activity("lesson", "Leçon", "lecons", "l1"))
    db.session.rollback()
    assert db.session.get(StoredStatement, row.id) is None
