"""The animateur's xAPI statements about a café: announced, cancelled, held.

The café is the activity (type « meeting »), its IRI the café's public page; the verbs are
Activity Streams' schedule, cancel and host (lms/xapi/vocabulary.py, the platform's registry).
"""

from flask import current_app
from tincan import Activity, ActivityDefinition, LanguageMap

from lms.xapi import record
from lms.xapi.vocabulary import ACTIVITY_TYPES


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
