"""The readiness self-assessment: statements from readiness.yaml, answered 1 to 5."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import select
from tincan import InteractionComponent, LanguageMap, Result, Score

from courses import progress
from lms import yamltext
from lms.concurrency import new_submission, retry_on_conflict
from lms.concurrency import submission_of as submission_of  # the views read it from here
from lms.extensions import db
from lms.xapi import activity, extension_iri, record

from .models import ReadinessAnswer

INITIAL, FINAL = "initial", "final"


@dataclass(frozen=True)
class Readiness:
    key_statement: str
    scale: dict[int, str]
    statements: dict[str, str]  # id -> text, in order


@cache
def readiness() -> Readiness:
    data = yamltext.safe_load(
        (Path(__file__).parent / "readiness.yaml").read_text(encoding="utf-8")
    )
    statements = {s["id"]: s["text"] for s in data["statements"]}
    assert data["key_statement"] in statements and 6 <= len(statements) <= 8
    return Readiness(
        data["key_statement"], {int(k): v for k, v in data["scale"].items()}, statements
    )


def current_phase(user) -> str:
    """Initial until every module is done; final after."""
    states = progress.overview(user)
    return FINAL if states and all(s.completed for s in states) else INITIAL


def latest(user) -> dict[str, dict[str, int]]:
    """phase -> statement -> the latest value given."""
    rows = db.session.execute(
        select(ReadinessAnswer.phase, ReadinessAnswer.statement_id, ReadinessAnswer.value)
        .where(ReadinessAnswer.user_id == user.id)
        .order_by(ReadinessAnswer.answered_at, ReadinessAnswer.id)
    )
    answers: dict[str, dict[str, int]] = {INITIAL: {}, FINAL: {}}
    for phase, statement_id, value in rows:
        answers[phase][statement_id] = value
    return answers


def read_form(form) -> dict[str, int]:
    """Every statement answered with 1 to 5, or ValueError with a French message."""
    values = {}
    for statement_id, text in readiness().statements.items():
        raw = form.get(f"r-{statement_id}", "")
        if raw not in {"1", "2", "3", "4", "5"}:
            raise ValueError(f"Choisissez une réponse de 1 à 5 pour « {text} »")
        values[statement_id] = int(raw)
    return values


def _likert(statement_id: str, text: str):
    scale = readiness().scale
    return activity(
        "cmi.interaction",
        text,
        "positionnement",
        statement_id,
        interaction_type="likert",
        description=LanguageMap({"fr-FR": text}),
        scale=[
            InteractionComponent(id=str(k), description=LanguageMap({"fr-FR": v}))
            for k, v in scale.items()
        ],
    )


def save(user, phase: str, values: dict[str, int], submission: str | None = None) -> bool:
    """Keep every answer and record each one as a likert interaction, in one transaction.

    False if these answers (this `submission`) were kept already: the second request of a
    double click, simultaneous or not, records no answer and no statement a second time.
    """
    submission = submission or new_submission()
    return retry_on_conflict(lambda: _save(user, phase, values, submission))


def _save(user, phase: str, values: dict[str, int], submission: str) -> bool:
    if _already_saved(user, submission):
        return False
    parent = activity("assessment", "Positionnement", "positionnement")
    for statement_id, value in values.items():
        db.session.add(
            ReadinessAnswer(
                user_id=user.id,
                phase=phase,
                statement_id=statement_id,
                value=value,
                submission=submission,
            )
        )
        record(
            user,
            "answered",
            _likert(statement_id, readiness().statements[statement_id]),
            parent=parent,
            result=Result(response=str(value), score=Score(raw=value, min=1, max=5)),
            extensions={extension_iri("positionnement"): phase},
        )
    db.session.commit()
    return True


def _already_saved(user, submission: str) -> bool:
    return bool(
        db.session.scalar(
            select(ReadinessAnswer.id)
            .where(ReadinessAnswer.user_id == user.id, ReadinessAnswer.submission == submission)
            .limit(1)
        )
    )
