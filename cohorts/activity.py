"""A learner's activity as their formateurs read it: one line per meaningful event.

Not one line per xAPI statement: a quiz handed in is one line with its score (not one per
question), a readiness one line (not one per statement), and the status changes come from
its history, which names who made them (a revocation is « Statut retiré par … », where the
statement would only say « voided »). Lesson views and module launches are left out: the
progress table above says how far the person went.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from certificates import status
from certificates.models import ReadinessAnswer, StatusChange
from lms.extensions import db
from lms.formatting import pourcentage
from lms.models import Role, User, as_utc
from lms.xapi.models import StoredStatement
from lms.xapi.recorder import activity_iri
from lms.xapi.vocabulary import ACTIVITY_TYPES, VERBS

from .models import CohortMember

ACTOR_ROLES = {Role.FORMATEUR: "formateur", Role.ADMIN: "administrateur·rice"}
STATEMENT_VERBS = {VERBS[name][0]: name for name in ("registered", "completed", "passed", "failed")}
PHASES = {"initial": "de départ", "final": "de fin"}


@dataclass(frozen=True)
class Event:
    at: datetime
    text: str


def percent(value: float) -> str:
    """85.5 → « 85,5 % », 100.0 → « 100 % » (lms.formatting)."""
    return pourcentage(value, 1, zeros=False)


def _from_statement(payload: dict) -> str | None:
    verb = STATEMENT_VERBS.get(payload["verb"]["id"])
    definition = payload["object"].get("definition", {})
    name = definition.get("name", {}).get("fr-FR", "")
    kind = definition.get("type")
    if verb == "registered":
        return "Inscription à la formation"
    if verb == "completed" and kind == ACTIVITY_TYPES["lesson"]:
        return f"Leçon terminée : « {name} »"
    if verb == "completed" and kind == ACTIVITY_TYPES["module"]:
        return f"Module terminé : « {name} »"
    if verb in ("passed", "failed") and kind == ACTIVITY_TYPES["assessment"]:
        score = payload.get("result", {}).get("score", {}).get("raw")
        outcome = "réussi" if verb == "passed" else "non réussi"
        return f"Quiz « {name} » {outcome}" + (f" : {percent(score)}" if score is not None else "")
    return None


def _statements(user, limit: int) -> list[Event]:
    rows = db.session.execute(
        select(StoredStatement.stored, StoredStatement.payload)
        .where(
            StoredStatement.user_id == user.id,
            StoredStatement.verb.in_(STATEMENT_VERBS),
            StoredStatement.object_id.not_like(activity_iri("statut-animateur") + "%"),
        )
        .order_by(StoredStatement.stored.desc())
        .limit(limit)
    )
    events = []
    for stored, payload in rows:
        text = _from_statement(json.loads(payload))
        if text:
            events.append(Event(as_utc(stored), text))
    return events


def _readiness(user) -> list[Event]:
    rows = db.session.execute(
        select(ReadinessAnswer.phase, func.min(ReadinessAnswer.answered_at))
        .where(ReadinessAnswer.user_id == user.id)
        .group_by(ReadinessAnswer.phase, ReadinessAnswer.submission)
    )
    return [
        Event(as_utc(at), f"Positionnement {PHASES.get(phase, phase)} rempli") for phase, at in rows
    ]


def actor(user: User | None) -> str:
    if user is None:
        return "un compte supprimé"
    role = ACTOR_ROLES.get(user.role)
    return f"{user.full_name} ({role})" if role else user.full_name


def status_line(change: StatusChange, by: User | None) -> str:
    reason = f" — motif : {change.reason}" if change.reason else ""
    if change.status == status.ELIGIBLE:
        return "Tous les critères remplis : parcours en attente de validation"
    if change.status == status.VALIDATED:
        return f"Parcours validé par {actor(by)}"
    if change.status == status.CERTIFIED:
        if change.by_id:
            return f"Statut d'animateur·rice Café IA accordé après la validation de {actor(by)}"
        return "Statut d'animateur·rice Café IA obtenu : tous les critères sont remplis"
    if change.status == status.REVOKED:
        return f"Statut retiré par {actor(by)}{reason}"
    if change.status == status.RESTORED:
        return f"Statut rétabli par {actor(by)}{reason}"
    return status.LABELS.get(change.status, change.status)


def _status(user) -> list[Event]:
    changes = status.history(user)
    ids = {c.by_id for c in changes if c.by_id}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return [Event(as_utc(c.at), status_line(c, people.get(c.by_id))) for c in changes]


def _joined(cohort, user) -> list[Event]:
    joined = db.session.scalar(
        select(CohortMember.joined_at).where(
            CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id
        )
    )
    return [Event(as_utc(joined), f"A rejoint la cohorte « {cohort.name} »")] if joined else []


def stream(cohort, user, limit: int = 50) -> list[Event]:
    """The latest events first."""
    events = _statements(user, limit) + _readiness(user) + _status(user) + _joined(cohort, user)
    return sorted(events, key=lambda event: event.at, reverse=True)[:limit]
