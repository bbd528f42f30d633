"""Who arrives from a platform: their account (issuer + sub), their course's cohort."""

import logging
import uuid

from sqlalchemy import delete, select

from cohorts import services as cohorts
from lms.accounts.services import add_invited_users, find_by_email
from lms.concurrency import retry_on_conflict
from lms.extensions import db
from lms.models import Role, User

from .models import Context, Identity, Platform
from .tool import AGS_CLAIM, CLAIM, NRPS_CLAIM

log = logging.getLogger(__name__)


def account_for(issuer: str, sub: str) -> User | None:
    return db.session.scalar(
        select(User).join(Identity).where(Identity.issuer == issuer, Identity.sub == sub)
    )


def arriving(issuer: str, person: dict, instructor: bool) -> User:
    """The account of this issuer's `sub`, made on first arrival. Never matched by e-mail: a
    platform vouches for its own users, not for an address another account already holds."""
    user = account_for(issuer, person["sub"]) or retry_on_conflict(
        lambda: _new_account(issuer, person, instructor)
    )
    if instructor and user.role == Role.APPRENANT:
        # The LMS says they teach this course: they run its cohort, so they need the role.
        user.role = Role.FORMATEUR
        db.session.commit()
    return user


def _new_account(issuer: str, person: dict, instructor: bool) -> User:
    existing = account_for(issuer, person["sub"])
    if existing:
        return existing
    email = (person.get("email") or "").strip()
    if not email or find_by_email(email):
        email = f"lti-{uuid.uuid4().hex}@lti.invalid"  # no address, or one that is not theirs
    (user,) = add_invited_users(
        [
            {
                "email": email,
                "first_name": (person.get("given_name") or person.get("name") or "Personne")[:100],
                "last_name": (person.get("family_name") or "")[:100],
                "profile": "autre",
                "structure": "",
                "commune": "",
                "departement_code": "",
                "role": Role.FORMATEUR if instructor else Role.APPRENANT,
            }
        ]
    )
    db.session.add(Identity(user_id=user.id, issuer=issuer, sub=person["sub"]))
    db.session.commit()
    log.info("compte LTI créé : utilisateur %s", user.id)
    return user


def context_of(platform: Platform, claims: dict, user: User, instructor: bool) -> Context | None:
    """The cohort of the launch's LMS course, created by its first launch; its instructors
    become its formateurs, its learners its members. The services' URLs are kept up to date."""
    course = claims.get(CLAIM + "context")
    if not course or not course.get("id"):
        return None
    context = db.session.scalar(
        select(Context).where(
            Context.platform_id == platform.id, Context.context_id == str(course["id"])
        )
    )
    title = (course.get("title") or course.get("label") or "Cours LMS")[:120]
    if context is None:
        trainer = user if instructor else _any_admin()
        if trainer is None:
            return None  # nobody to run it yet: the first instructor's launch creates it
        cohort = cohorts.create(
            trainer,
            name=title,
            description=f"Cours « {title} » de {platform.name}, lancé en LTI.",
        )
        context = Context(
            platform_id=platform.id,
            context_id=str(course["id"]),
            deployment_id=claims[CLAIM + "deployment_id"],
            cohort_id=cohort.id,
            title=title,
        )
        db.session.add(context)
    ags = claims.get(AGS_CLAIM) or {}
    if ags.get("lineitems"):
        context.lineitems_url = ags["lineitems"]
        context.ags_scopes = " ".join(ags.get("scope") or [])
    nrps = claims.get(NRPS_CLAIM) or {}
    if nrps.get("context_memberships_url"):
        context.memberships_url = nrps["context_memberships_url"]
    db.session.commit()
    cohort = cohort_of(context)
    if instructor:
        cohorts.add_trainer(cohort, user)
    else:
        cohorts.join(cohort, user, source="lti")
    return context


def _any_admin() -> User | None:
    """A learner opened a course before its teacher: the cohort needs someone to run it."""
    return db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id))


def cohort_of(context: Context):
    from cohorts.models import Cohort  # noqa: PLC0415

    return db.session.get(Cohort, context.cohort_id)


def context_for_cohort(cohort_id: int) -> Context | None:
    return db.session.scalar(select(Context).where(Context.cohort_id == cohort_id))


def contexts_of(user: User) -> list[Context]:
    """The LMS courses a learner belongs to, through their cohorts."""
    from cohorts.models import CohortMember  # noqa: PLC0415

    return db.session.scalars(
        select(Context)
        .join(CohortMember, CohortMember.cohort_id == Context.cohort_id)
        .where(CohortMember.user_id == user.id)
    ).all()


def forget(user: User) -> None:
    """ACCOUNT_ERASING: the links to LMS accounts and the scores not yet sent go too."""
    from .models import GradeDelivery  # noqa: PLC0415

    db.session.execute(delete(Identity).where(Identity.user_id == user.id))
    db.session.execute(delete(GradeDelivery).where(GradeDelivery.user_id == user.id))
