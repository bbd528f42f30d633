"""« Télécharger mes données »: the cohorts a person is in, animates, was invited to or
reminded by, and the imports they made as a formateur."""

from sqlalchemy import select

from lms.extensions import db

from .models import (
    Cohort,
    CohortImport,
    CohortInvitation,
    CohortMember,
    CohortNotice,
    CohortTrainer,
    Reminder,
)

TABLES = (
    "cohort_members",
    "cohort_trainers",
    "cohort_invitations",
    "cohort_notices",
    "cohort_reminders",
    "cohort_imports",
)


def _rows(model, *where):
    """(row, cohort name) pairs, oldest first."""
    query = select(model, Cohort.name).join(Cohort, Cohort.id == model.cohort_id).where(*where)
    return db.session.execute(query.order_by(model.id)).all()


def _iso(moment):
    return moment.isoformat() if moment else None


def personal_cohorts(user) -> dict:
    return {
        "membre": [
            {"cohorte": name, "source": m.source, "depuis": _iso(m.joined_at)}
            for m, name in _rows(CohortMember, CohortMember.user_id == user.id)
        ],
        "formateur": [
            {"cohorte": name} for _, name in _rows(CohortTrainer, CohortTrainer.user_id == user.id)
        ],
        "invitations": [
            {
                "cohorte": name,
                "etat": i.state,
                "le": _iso(i.created_at),
                "reponse_le": _iso(i.answered_at),
            }
            for i, name in _rows(CohortInvitation, CohortInvitation.user_id == user.id)
        ],
        "courriels": [
            {
                "cohorte": name,
                "type": n.kind,
                "prevu_le": _iso(n.created_at),
                "envoye_le": _iso(n.sent_at),
            }
            for n, name in _rows(CohortNotice, CohortNotice.user_id == user.id)
        ],
        "relances_recues": [
            {"cohorte": name, "le": _iso(r.sent_at)}
            for r, name in _rows(Reminder, Reminder.user_id == user.id)
        ],
        # What the person did as a formateur (the people concerned are not named here).
        "relances_envoyees": [
            {"cohorte": name, "le": _iso(r.sent_at)}
            for r, name in _rows(Reminder, Reminder.sent_by_id == user.id)
        ],
        "invitations_envoyees": [
            {"cohorte": name, "le": _iso(i.created_at)}
            for i, name in _rows(CohortInvitation, CohortInvitation.invited_by_id == user.id)
        ]
        + [
            {"cohorte": name, "le": _iso(n.created_at)}
            for n, name in _rows(CohortNotice, CohortNotice.invited_by_id == user.id)
        ],
        "imports": [
            {"cohorte": name, "crees": i.created, "invites": i.invited, "le": _iso(i.imported_at)}
            for i, name in _rows(CohortImport, CohortImport.imported_by_id == user.id)
        ],
    }
