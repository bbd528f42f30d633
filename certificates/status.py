"""Eligibility, and the animateur status: granted, revoked, restored — each change kept.

Status, derived from the stored facts:
  en formation → éligible (when a formateur's validation is still awaited)
  → animateur·rice certifié·e (a Certificate) → révoqué·e (revoked_at) → rétabli·e (certified again)
"""

import logging
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from tincan import Extensions, Result, StatementRef

from courses import progress
from lms.extensions import db
from lms.models import User, utcnow
from lms.xapi import activity, record
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import EXTENSIONS, VERBS
from quizzes import services as quizzes

from . import readiness
from .models import Certificate, StatusChange, TrainerValidation

log = logging.getLogger(__name__)

IN_TRAINING, ELIGIBLE, CERTIFIED = "en_formation", "eligible", "certifie"
REVOKED, RESTORED = "revoque", "retabli"
LABELS = {
    IN_TRAINING: "En formation",
    ELIGIBLE: "Éligible, en attente de validation",
    CERTIFIED: "Animateur·rice Café IA certifié·e",
    REVOKED: "Statut révoqué",
    RESTORED: "Statut rétabli",
}


@dataclass
class Criterion:
    key: str
    label: str
    met: bool


def criteria(user) -> list[Criterion]:
    """The one rule that decides eligibility, criterion by criterion."""
    config = current_app.config
    states = progress.overview(user)
    final = readiness.latest(user)[readiness.FINAL].get(readiness.readiness().key_statement, 0)
    rules = [
        Criterion(
            "modules",
            "Terminer les quatre modules",
            bool(states) and all(s.completed for s in states),
        ),
        Criterion(
            "quiz",
            f"Réussir chaque quiz (au moins {config['QUIZ_PASS_MARK']:g} %)",
            all(quizzes.has_passed(user, s.module) for s in states),
        ),
        Criterion(
            "positionnement",
            f"Répondre au moins {config['READINESS_THRESHOLD']}/5 à « Je me "
            "sens capable d'animer un Café IA » au positionnement final",
            final >= config["READINESS_THRESHOLD"],
        ),
    ]
    if config["REQUIRE_TRAINER_VALIDATION"]:
        rules.append(
            Criterion(
                "validation",
                "Être validé·e par votre formateur ou formatrice",
                _validation(user) is not None,
            )
        )
    return rules


def _validation(user) -> TrainerValidation | None:
    return db.session.scalar(select(TrainerValidation).where(TrainerValidation.user_id == user.id))


def certificate_of(user) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user.id))


def status_of(user) -> str:
    certificate = certificate_of(user)
    met = {} if certificate else {c.key: c.met for c in criteria(user)}
    return status_from(certificate.revoked_at if certificate else None, bool(certificate), met)


def status_from(revoked_at, has_certificate: bool, met: dict[str, bool]) -> str:
    """The status, from the facts: also used by pages that load those facts in bulk."""
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


def _change(user, status: str, by=None, reason: str | None = None) -> None:
    db.session.add(
        StatusChange(user_id=user.id, status=status, by_id=by.id if by else None, reason=reason)
    )


def grant_if_eligible(user) -> Certificate | None:
    """Grant the status in this very request if every criterion is met; None otherwise.

    Two requests racing here both see no certificate; the unique user_id lets one insert win
    and the other roll back, so there is never a second certificate.
    """
    if certificate_of(user) or not all(c.met for c in criteria(user)):
        return None
    try:  # the losing request fails at its first flush: that may come before the commit
        certificate = Certificate(user_id=user.id, code=secrets.token_urlsafe(24))  # 192 bits
        db.session.add(certificate)
        _change(user, CERTIFIED)
        record(user, "earned", _status_activity())
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    log.info("statut d'animateur accordé : utilisateur %s", user.id)
    return certificate


def validate(user, by) -> None:
    if not _validation(user):
        db.session.add(TrainerValidation(user_id=user.id, validated_by_id=by.id))
        db.session.commit()


def revoke(user, by, reason: str) -> None:
    certificate = certificate_of(user)
    if not certificate or certificate.revoked_at:
        raise ValueError("Cette personne n'a pas de statut d'animateur à révoquer.")
    certificate.revoked_at, certificate.revocation_reason = utcnow(), reason
    _change(user, REVOKED, by, reason)
    # xAPI voids the « earned » statement itself: the object of « voided » is a StatementRef.
    record(user, "voided", StatementRef(id=_last_earned(user)), result=_reason(reason))
    db.session.commit()
    log.info("statut d'animateur révoqué : utilisateur %s par %s", user.id, by.id)


def restore(user, by, reason: str) -> None:
    certificate = certificate_of(user)
    if not certificate or not certificate.revoked_at:
        raise ValueError("Ce statut n'est pas révoqué : rien à rétablir.")
    certificate.revoked_at = certificate.revocation_reason = None
    _change(user, RESTORED, by, reason)
    record(user, "earned", _status_activity(), result=_reason(reason))
    db.session.commit()
    log.info("statut d'animateur rétabli : utilisateur %s par %s", user.id, by.id)


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
    if not code or len(code) > 64:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))
