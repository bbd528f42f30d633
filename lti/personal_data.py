"""« Télécharger mes données »: the accounts of other platforms (LMS) linked to the person,
and the grades sent back to them."""

from sqlalchemy import select

from lms.extensions import db

from .models import Context, GradeDelivery, Identity

TABLES = ("lti_identities", "lti_grade_outbox")


def _iso(moment):
    return moment.isoformat() if moment else None


def personal_lti(user) -> dict | None:
    identities = db.session.scalars(
        select(Identity).where(Identity.user_id == user.id).order_by(Identity.id)
    ).all()
    grades = db.session.execute(
        select(GradeDelivery, Context.title)
        .join(Context, Context.id == GradeDelivery.context_id)
        .where(GradeDelivery.user_id == user.id)
        .order_by(GradeDelivery.id)
    ).all()
    if not identities and not grades:
        return None
    return {
        "comptes_relies": [{"plateforme": i.issuer, "sub": i.sub} for i in identities],
        "notes_transmises": [
            {
                "contexte": title,
                "ressource": g.resource_id,
                "note": g.score,
                "etat": g.state,
                "creee_le": _iso(g.created_at),
                "livree_le": _iso(g.delivered_at),
            }
            for g, title in grades
        ],
    }
