"""Eligibility, and the animateur status: granted, revoked, restored — each change kept.

Status, derived from the stored facts:
  en formation → éligible (when a formateur's validation is still awaited)
  → animateur·rice certifié·e (a Certificate) → révoqué·e (revoked_at) → rétabli·e (certified again)
Every change is a history row (StatusChange) and an xAPI statement, committed together.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from tincan import Extensions, Result, StatementRef

from courses import progress
from courses.models import ModuleProgress
from lms import hooks
from lms.concurrency import claim, retry_on_conflict
from lms.extensions import db
from lms.models import User, utcnow
from lms.xapi import activity, extension_iri, record
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import EXTENSIONS, VERBS
from quizzes import services as quizzes
from quizzes.models import QuizAttempt

from . import codes, readiness
from .models import Certificate, ReadinessAnswer, StatusChange, TrainerValidation

log = logging.getLogger(__name__)

IN_TRAINING, ELIGIBLE, CERTIFIED = "en_formation", "eligible", "certifie"
REVOKED, RESTORED = "revoque", "retabli"
VALIDATED = "valide"  # not a status: the formateur's validation, kept in the same history
LABELS = {
    IN_TRAINING: "En formation",
    ELIGIBLE: "Éligible, en attente de validation",
    VALIDATED: "Parcours validé par un formateur ou une formatrice",
    CERTIFIED: "Animateur·rice Café IA certifié·e",
    REVOKED: "Statut révoqué",
    RESTORED: "Statut rétabli",
}


class ValidationNotRequired(Exception):
    """This platform grants the status on the criteria alone: no formateur validates."""


class NotAwaitingValidation(Exception):
    """The person is not eligible and awaiting validation: nothing was written."""


@dataclass
class Criterion:
    key: str
    label: str
    met: bool


@dataclass
class Facts:
    """What the rule reads about one person, loaded for one person or for a whole cohort."""

    modules_done: set[str] = field(default_factory=set)
    quizzes_passed: set[str] = field(default_factory=set)
    final: int = 0  # the latest final answer to « animer un Café IA »
    validated: bool = False


def rules(facts: Facts) -> list[Criterion]:
    """The one rule that decides eligibility, criterion by criterion."""
    config, modules, banks = current_app.config, progress.catalogue().modules, quizzes.quizzes()
    result = [
        Criterion(
            "modules",
            "Terminer les quatre modules",
            bool(modules) and all(m.slug in facts.modules_done for m in modules),
        ),
        Criterion(
            "quiz",
            f"Réussir chaque quiz (au moins {config['QUIZ_PASS_MARK']:g} %)",
            all(m.slug in facts.quizzes_passed for m in modules if m.slug in banks),
        ),
        Criterion(
            "positionnement",
            f"Répondre au moins {config['READINESS_THRESHOLD']}/5 à « Je me "
            "sens capable d'animer un Café IA » au positionnement final",
            facts.final >= config["READINESS_THRESHOLD"],
        ),
    ]
    if config["REQUIRE_TRAINER_VALIDATION"]:
        result.append(
            Criterion(
                "validation", "Être validé·e par votre formateur ou formatrice", facts.validated
            )
        )
    return result


def facts_for(user_ids: list[int]) -> dict[int, Facts]:
    """The facts of many people in four queries; a person with none gets empty Facts."""
    facts: dict[int, Facts] = defaultdict(Facts)
    if not user_ids:
        return facts
    done = select(ModuleProgress.user_id, ModuleProgress.module_slug).where(
        ModuleProgress.user_id.in_(user_ids), ModuleProgress.completed_at.is_not(None)
    )
    for user_id, slug in db.session.execute(done):
        facts[user_id].modules_done.add(slug)
    passed = (
        select(QuizAttempt.user_id, QuizAttempt.module_slug)
        .where(QuizAttempt.user_id.in_(user_ids), QuizAttempt.passed.is_(True))
        .distinct()
    )
    for user_id, slug in db.session.execute(passed):
        facts[user_id].quizzes_passed.add(slug)
    for user_id, value in db.session.execute(_final_answers(user_ids)):  # the latest wins
        facts[user_id].final = value
    validated = select(TrainerValidation.user_id).where(TrainerValidation.user_id.in_(user_ids))
    for user_id in db.session.scalars(validated):
        facts[user_id].validated = True
    return facts


def _final_answers(user_ids):
    return (
        select(ReadinessAnswer.user_id, ReadinessAnswer.value)
        .where(
            ReadinessAnswer.user_id.in_(user_ids),
            ReadinessAnswer.phase == readiness.FINAL,
            ReadinessAnswer.statement_id == readiness.readiness().key_statement,
        )
        .order_by(ReadinessAnswer.answered_at, ReadinessAnswer.id)
    )


def criteria(user) -> list[Criterion]:
    return rules(facts_for([user.id])[user.id])


def statuses(user_ids: list[int]) -> dict[int, str]:
    """Each person's status, by the same rule as status_of, in five queries at most."""
    certificates = dict(
        db.session.execute(
            select(Certificate.user_id, Certificate.revoked_at).where(
                Certificate.user_id.in_(user_ids)
            )
        ).all()
    )
    # A certificate decides on its own: the facts are read only for the others.
    facts = facts_for([user_id for user_id in user_ids if user_id not in certificates])
    return {
        user_id: status_from(
            certificates.get(user_id),
            user_id in certificates,
            {c.key: c.met for c in rules(facts[user_id])},
        )
        for user_id in user_ids
    }


def certificate_of(user) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user.id))


def status_of(user) -> str:
    return statuses([user.id])[user.id]


def status_from(revoked_at, has_certificate: bool, met: dict[str, bool]) -> str:
    """The status, from the facts."""
    if has_certificate:
        return REVOKED if revoked_at else CERTIFIED
    learner_done = all(ok for key, ok in met.items() if key != "validation")
    return ELIGIBLE if learner_done and not all(met.values()) else IN_TRAINING


def history(user) -> list[StatusChange]:
    return db.session.scalars(
        select(StatusChange)
        .where(StatusChange.user_id == user.id)
        .order_by(StatusChange.at, StatusChange.id)
    ).all()


def actor_names(changes) -> dict[int, str]:
    """Who made each change, in one query."""
    ids = {c.by_id for c in changes if c.by_id}
    return {u.id: u.full_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _status_activity():
    return activity("course", "Animateur·rice Café IA", "statut-animateur")


def _criteria_activity():
    return activity(
        "course", "Critères du statut d'animateur·rice Café IA", "statut-animateur", "criteres"
    )


def _validation_activity():
    return activity(
        "assessment",
        "Validation du parcours par un formateur ou une formatrice",
        "statut-animateur",
        "validation",
    )


def _change(user, status: str, by=None, reason: str | None = None) -> None:
    db.session.add(
        StatusChange(user_id=user.id, status=status, by_id=by.id if by else None, reason=reason)
    )


def grant_if_eligible(user) -> Certificate | None:
    """Grant the status in this very request if every criterion is met; None otherwise.

    Two requests racing here both see no certificate; the unique user_id lets one insert win
    and the other roll back, so there is never a second certificate.
    """
    if certificate_of(user):
        return None
    met = {c.key: c.met for c in criteria(user)}
    if not all(met.values()):
        _note_eligible(user, met)
        return None
    try:  # the losing request fails at its first flush: that may come before the commit
        certificate = Certificate(user_id=user.id, code=codes.new_code())
        db.session.add(certificate)
        _change(user, CERTIFIED)
        record(user, "earned", _status_activity())
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    log.info("statut d'animateur accordé : utilisateur %s", user.id)
    hooks.send(hooks.STATUS_CHANGED, user=user)
    return certificate


def _note_eligible(user, met: dict[str, bool]) -> None:
    """Reaching « éligible » (only a formateur's validation missing) is kept once in the history.

    A partial unique index allows one such row per person: a simultaneous request rolls back.
    """
    if status_from(None, False, met) != ELIGIBLE or _has_change(user, ELIGIBLE):
        return
    try:
        _change(user, ELIGIBLE)
        record(user, "completed", _criteria_activity(), parent=_status_activity())
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return
    log.info("éligible, en attente de validation : utilisateur %s", user.id)
    hooks.send(hooks.AWAITING_VALIDATION, user=user)


def _has_change(user, status: str) -> bool:
    return bool(
        db.session.scalar(
            select(StatusChange.id).where(
                StatusChange.user_id == user.id, StatusChange.status == status
            )
        )
    )


class AlreadyValidated(Exception):
    """The parcours is validated already (a double click, a colleague at the same moment)."""


def validate(user, by) -> Certificate | None:
    """A formateur's (or an admin's) validation of a person awaiting it; then the status.

    ValidationNotRequired where configuration asks for no validation, NotAwaitingValidation for a
    person who is not eligible and awaiting it: nothing is written then (the messages are in
    certificates/actions.py). Already validated: AlreadyValidated, and
    nothing is written either; in a race, the unique user_id refuses the second insert, which
    runs again and finds the first.
    """
    if not current_app.config["REQUIRE_TRAINER_VALIDATION"]:
        raise ValidationNotRequired
    retry_on_conflict(lambda: _keep_validation(user, by))
    log.info("parcours validé : utilisateur %s par %s", user.id, by.id)
    return grant_if_eligible(user)


def _keep_validation(user, by) -> None:
    met = {c.key: c.met for c in criteria(user)}
    if certificate_of(user) or status_from(None, False, met) != ELIGIBLE:
        if _validated(user):  # by a twin click or a colleague: the person is past « éligible »
            raise AlreadyValidated
        raise NotAwaitingValidation
    _note_eligible(user, met)  # a person eligible before this history existed gets the row now
    db.session.add(TrainerValidation(user_id=user.id, validated_by_id=by.id))
    _change(user, VALIDATED, by)
    # The person is the actor; who validated is named by pseudonym, as every actor is.
    extensions = {extension_iri("valide-par"): by.pseudonym}
    record(user, "passed", _validation_activity(), parent=_status_activity(), extensions=extensions)
    db.session.commit()


def _validated(user) -> bool:
    return (
        db.session.scalar(select(TrainerValidation.id).where(TrainerValidation.user_id == user.id))
        is not None
    )


def revoke(user, by, reason: str) -> bool:
    """Revoke once: of two simultaneous requests, only the one whose claim wins writes.

    False, and nothing written, when there is no status to revoke (or a request did first).
    """
    certificate = certificate_of(user)
    revoked = certificate and _claim_certificate(
        certificate, revoked=False, revoked_at=utcnow(), revocation_reason=reason
    )
    if not revoked:
        return False
    _change(user, REVOKED, by, reason)
    # xAPI voids the « earned » statement itself: the object of « voided » is a StatementRef.
    record(user, "voided", StatementRef(id=_last_earned(user)), result=_reason(reason))
    db.session.commit()
    log.info("statut d'animateur révoqué : utilisateur %s par %s", user.id, by.id)
    hooks.send(hooks.STATUS_CHANGED, user=user)
    return True


def restore(user, by, reason: str) -> bool:
    """Restore once: of two simultaneous requests, only the one whose claim wins writes.

    False, and nothing written, when the status is not revoked (or a request did first).
    """
    certificate = certificate_of(user)
    restored = certificate and _claim_certificate(
        certificate, revoked=True, revoked_at=None, revocation_reason=None
    )
    if not restored:
        return False
    _change(user, RESTORED, by, reason)
    record(user, "earned", _status_activity(), result=_reason(reason))
    db.session.commit()
    log.info("statut d'animateur rétabli : utilisateur %s par %s", user.id, by.id)
    hooks.send(hooks.STATUS_CHANGED, user=user)
    return True


def _claim_certificate(certificate: Certificate, revoked: bool, **values) -> bool:
    """Change the certificate only if it is still (not) revoked; False if a request did first."""
    state = Certificate.revoked_at.is_not(None) if revoked else Certificate.revoked_at.is_(None)
    won = claim(update(Certificate).where(Certificate.id == certificate.id, state).values(**values))
    if not won:
        db.session.rollback()
    return won


def _reason(reason: str) -> Result:
    return Result(extensions=Extensions({EXTENSIONS["reason"]: reason}))


def _last_earned(user) -> str:
    return db.session.scalar(
        select(StoredStatement.id)
        .where(StoredStatement.user_id == user.id, StoredStatement.verb == VERBS["earned"][0])
        .order_by(StoredStatement.stored.desc())
        .limit(1)
    )


def find_certificate(code: str) -> Certificate | None:
    """The certificate a typed code means: a new code read leniently, an old one as issued."""
    wanted = codes.candidates(code)
    if not wanted:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code.in_(wanted)).limit(1))
