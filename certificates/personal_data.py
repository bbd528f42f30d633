"""« Télécharger mes données »: every readiness answer, the status and its history, the
formateur's validation, and the decisions the person took as a formateur or an admin."""

from sqlalchemy import select

from lms.extensions import db

from . import readiness, status
from .models import ReadinessAnswer, StatusChange, TrainerValidation

TABLES = ("readiness_answers", "certificates", "status_changes", "trainer_validations")


def _iso(moment):
    return moment.isoformat() if moment else None


def personal_status(user) -> dict:
    certificate = status.certificate_of(user)
    validation = db.session.scalar(
        select(TrainerValidation).where(TrainerValidation.user_id == user.id)
    )
    answers = db.session.scalars(
        select(ReadinessAnswer)
        .where(ReadinessAnswer.user_id == user.id)
        .order_by(ReadinessAnswer.answered_at, ReadinessAnswer.id)
    )
    decisions = db.session.scalars(
        select(StatusChange).where(StatusChange.by_id == user.id).order_by(StatusChange.at)
    )
    validated = db.session.scalars(
        select(TrainerValidation).where(TrainerValidation.validated_by_id == user.id)
    )
    return {
        "positionnement": readiness.latest(user),
        "reponses_positionnement": [
            {
                "phase": a.phase,
                "enonce": a.statement_id,
                "valeur": a.value,
                "le": _iso(a.answered_at),
            }
            for a in answers
        ],
        "statut": status.status_of(user),
        "attestation": {
            "code": certificate.code,
            "delivree": _iso(certificate.issued_at),
            "revoquee": _iso(certificate.revoked_at),
            "motif_revocation": certificate.revocation_reason,
        }
        if certificate
        else None,
        "validation_formateur": {"le": _iso(validation.validated_at)} if validation else None,
        "historique": [
            {"statut": c.status, "motif": c.reason, "le": _iso(c.at)} for c in status.history(user)
        ],
        # What the person decided for others (the people concerned are not named here).
        "decisions_prises": [
            {"statut": c.status, "motif": c.reason, "le": _iso(c.at)} for c in decisions
        ],
        "validations_donnees": [{"le": _iso(v.validated_at)} for v in validated],
    }
