"""Consent: an existing account joins a cohort only by its owner's act.

An import that names an existing account invites it; the person accepts (and joins) or declines
from « Mes cohortes ». They may leave a cohort they joined, as they joined it: by their own act.
"""

import logging

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.models import User, utcnow
from lms.urls import absolute_url

from .models import Cohort, CohortInvitation, CohortMember

log = logging.getLogger(__name__)


def pending(user) -> list[tuple[Cohort, User | None]]:
    """The cohorts that invited this person and await their answer (none they already
    joined), each with the formateur who invited them (None if that account is gone)."""
    joined = select(CohortMember.cohort_id).where(CohortMember.user_id == user.id)
    inviter = aliased(User)
    return db.session.execute(
        select(Cohort, inviter)
        .join(CohortInvitation, CohortInvitation.cohort_id == Cohort.id)
        .outerjoin(inviter, inviter.id == CohortInvitation.invited_by_id)
        .where(
            CohortInvitation.user_id == user.id,
            CohortInvitation.state == CohortInvitation.PENDING,
            Cohort.id.not_in(joined),
        )
        .order_by(CohortInvitation.created_at.desc())
    ).all()


def joined(user) -> list[Cohort]:
    return db.session.scalars(
        select(Cohort)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user.id)
        .order_by(CohortMember.joined_at.desc())
    ).all()


def waiting(cohort_id: int) -> int:
    """How many invited people have not answered (their names stay out of the formateur's view)."""
    members = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)
    return db.session.scalar(
        select(func.count()).where(
            CohortInvitation.cohort_id == cohort_id,
            CohortInvitation.state == CohortInvitation.PENDING,
            CohortInvitation.user_id.not_in(members),  # joined by the link meanwhile
        )
    )


def _invitation(cohort_id: int, user) -> CohortInvitation | None:
    return db.session.scalar(
        select(CohortInvitation).where(
            CohortInvitation.cohort_id == cohort_id, CohortInvitation.user_id == user.id
        )
    )


def answer(cohort_id: int, user, accept: bool) -> Cohort | None:
    """Accept (join, as imported) or decline a pending invitation; None if there is none."""
    invitation = _invitation(cohort_id, user)
    if not invitation or invitation.state != CohortInvitation.PENDING:
        return None
    invitation.state = CohortInvitation.ACCEPTED if accept else CohortInvitation.DECLINED
    invitation.answered_at = utcnow()
    already = db.session.scalar(
        select(CohortMember.id).where(
            CohortMember.cohort_id == cohort_id, CohortMember.user_id == user.id
        )
    )
    if accept and not already:
        db.session.add(CohortMember(cohort_id=cohort_id, user_id=user.id, source="import"))
    try:
        db.session.commit()
    except IntegrityError:  # the same answer sent twice at once: the first one counted
        db.session.rollback()
    log.info(
        "cohorte %s : invitation %s par l'utilisateur %s", cohort_id, invitation.state, user.id
    )
    return db.session.get(Cohort, cohort_id)


def leave(cohort_id: int, user) -> Cohort | None:
    """The person leaves a cohort they joined; an import will not invite them again."""
    membership = db.session.scalar(
        select(CohortMember).where(
            CohortMember.cohort_id == cohort_id, CohortMember.user_id == user.id
        )
    )
    if not membership:
        return None
    db.session.delete(membership)
    invitation = _invitation(cohort_id, user)
    if invitation:
        invitation.state, invitation.answered_at = CohortInvitation.DECLINED, utcnow()
    db.session.commit()
    log.info("cohorte %s : l'utilisateur %s l'a quittée", cohort_id, user.id)
    return db.session.get(Cohort, cohort_id)


def invitation_body(cohort: Cohort, inviter, user) -> str:
    who = inviter.full_name if inviter else "Un formateur ou une formatrice"
    return (
        f"Bonjour {user.first_name},\n\n{who} vous invite à rejoindre la cohorte "
        f"« {cohort.name} » sur Café IA Formation.\n\nSi vous acceptez, les formateurs de la "
        "cohorte verront votre progression dans le parcours (modules, quiz, positionnement, "
        "statut) et pourront vous relancer. Rien ne change tant que vous n'avez pas accepté ; "
        f"vous pourrez aussi quitter la cohorte plus tard.\n\nAccepter ou refuser : "
        f"{absolute_url('cohorts.mine')}\n\n"
        "Si vous ne connaissez pas cette personne, refusez simplement l'invitation.\n"
    )
