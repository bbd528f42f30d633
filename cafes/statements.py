"""The animateur's xAPI statements about a café: announced, cancelled, held, reported.

The café is the activity (type « meeting »), its IRI the café's public page; the verbs are
Activity Streams' schedule, cancel, host and submit (lms/xapi/vocabulary.py, the platform's
registry). The report's statement carries the participants as a result extension, so that an
LRS can count the people reached; a later correction voids it and states the new figure.
"""

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased
from tincan import Activity, ActivityDefinition, Extensions, LanguageMap, Result, StatementRef

from lms.extensions import db
from lms.xapi import extension_iri, record
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import ACTIVITY_TYPES, VERBS


def cafe_activity(cafe) -> Activity:
    return Activity(
        id=f"{current_app.config['BASE_URL']}/cafes/{cafe.id}",
        definition=ActivityDefinition(
            type=ACTIVITY_TYPES["meeting"], name=LanguageMap({"fr-FR": f"Café IA : {cafe.title}"})
        ),
    )


def scheduled(user, cafe) -> None:
    record(user, "schedule", cafe_activity(cafe))


def cancelled(user, cafe) -> None:
    record(user, "cancel", cafe_activity(cafe))


def hosted(user, cafe) -> None:
    record(user, "host", cafe_activity(cafe))


def participants_result(participants: int) -> Result:
    return Result(extensions=Extensions({extension_iri("participants"): participants}))


def reported(user, cafe, participants: int) -> None:
    record(user, "submit", cafe_activity(cafe), result=participants_result(participants))


def report_corrected(user, cafe, participants: int) -> None:
    """The figure changed after submission: the former statement is voided, a new one says it."""
    voiding = aliased(StoredStatement)
    voided = exists().where(
        voiding.verb == VERBS["voided"][0], voiding.object_id == StoredStatement.id
    )
    former = db.session.scalar(
        select(StoredStatement.id)
        .where(
            StoredStatement.verb == VERBS["submit"][0],
            StoredStatement.object_id == cafe_activity(cafe).id,
            ~voided,
        )
        .order_by(StoredStatement.stored.desc())
        .limit(1)
    )
    if former is not None:
        record(user, "voided", StatementRef(id=former))
    reported(user, cafe, participants)
