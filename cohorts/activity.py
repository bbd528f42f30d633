"""A learner's xAPI activity, told in plain French (« a terminé la leçon … »)."""

import json

from sqlalchemy import select

from lms.extensions import db
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import verb_label


def sentence(payload: dict) -> str:
    verb = verb_label(payload["verb"]["id"])
    name = payload["object"].get("definition", {}).get("name", {}).get("fr-FR")
    text = f"{verb} « {name} »" if name else verb
    score = payload.get("result", {}).get("score", {})
    if "raw" in score and payload["verb"]["id"].endswith(("passed", "failed")):
        text += f" ({score['raw']:g} %)"
    return text


def stream(user, limit: int = 50) -> list[tuple]:
    rows = db.session.execute(
        select(StoredStatement.stored, StoredStatement.payload)
        .where(StoredStatement.user_id == user.id)
        .order_by(StoredStatement.stored.desc())
        .limit(limit)
    )
    return [(stored, sentence(json.loads(payload))) for stored, payload in rows]
