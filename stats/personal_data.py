"""What the national statistics keep about a person while the account lives: the learner row
the tallies are summed from (stats.models.LearnerFunnel), shown in « mes données »."""

from lms.extensions import db

from .models import LearnerFunnel

TABLES = ("learner_funnel",)


def funnel_row(user) -> dict | None:
    """The steps and groups the person is counted in; None for someone who is not an apprenant
    (the statistics count only them)."""
    row = db.session.get(LearnerFunnel, user.id)
    if row is None:
        return None
    return {
        "semaine_inscription": row.week,
        "departement": row.departement_code,
        "profil": row.profile,
        "structure": row.structure,
        "a_commence": bool(row.started),
        "a_termine": bool(row.completed),
        "certifie": bool(row.certified),
        "dans_l_annuaire": bool(row.listed),
        "semaine_certificat": row.certified_week,
        "jours_jusqu_au_certificat": row.days_to_certificate,
    }
