"""Référents: the territories an admin gives them, and what they see and do there.

Every query a référent's page makes goes through `territory_of(user)`: a café or an animateur
outside those départements is simply not found (404), whatever id the request carries.
"""

import logging
from datetime import date, timedelta

from flask import current_app, url_for
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from annuaire.models import Listing
from annuaire.services import public_listings
from cafes import services as cafes
from cafes.models import SUBMITTED, Cafe, CafeReport
from certificates.models import Certificate
from lms.extensions import db
from lms.mail import one_session, send_mail, send_notice
from lms.models import Role, User, user_facts, utcnow
from lms.secrecy import protect, shown

from .models import Assignment, SentMessage
from .territories import REGION, Territory

log = logging.getLogger(__name__)
MESSAGES_PER_DAY = 3  # a référent writes to the whole territory: a few a day is plenty
PAST_SHOWN = 50


class Refused(ValueError):
    """A grant that breaks the rule « one région, or départements »: the French reason."""


# --- the role ----------------------------------------------------------------------------------


def assignments(user) -> list[Assignment]:
    return db.session.scalars(
        select(Assignment)
        .where(Assignment.user_id == user.id)
        .order_by(Assignment.kind, Assignment.code)
    ).all()


def territories(user) -> list[Territory]:
    return [Territory(a.kind, a.code) for a in assignments(user)]


def territory_of(user) -> set[str]:
    """The départements a person follows; empty for anyone who is not a référent."""
    if not user.is_authenticated:
        return set()
    return set().union(*(t.departements for t in territories(user)))


def is_referent(user) -> bool:
    # Asked by the menu on every page: one indexed EXISTS, not the person's assignments loaded.
    # The signed-in person's answer comes with their user load (lms.models.user_facts).
    if not user.is_authenticated:
        return False
    facts = user_facts(user)
    if facts is not None:
        return bool(facts["referent"])
    return db.session.scalar(select(holds_territory(user.id)))


def holds_territory(user_id):
    """SQL: whether the person with this id (a value or a column) holds a territory."""
    return select(Assignment.id).where(Assignment.user_id == user_id).exists()


def all_assignments() -> list[tuple[Assignment, User]]:
    return db.session.execute(
        select(Assignment, User)
        .join(User, User.id == Assignment.user_id)
        .order_by(User.last_name, User.first_name, Assignment.kind, Assignment.code)
    ).all()


def grant(person: User, territory: Territory, by: User, reason: str) -> Assignment:
    """A territory for a person who keeps their role; one région, or one or more départements."""
    held = territories(person)
    if territory in held:
        raise Refused(f"{person.full_name} suit déjà ce territoire.")
    if held and (territory.kind == REGION or any(t.kind == REGION for t in held)):
        raise Refused(
            "Un référent suit une région ou des départements, pas les deux ni deux régions : "
            "retirez d'abord le territoire actuel."
        )
    assignment = Assignment(
        user_id=person.id,
        kind=territory.kind,
        code=territory.code,
        reason=reason,
        granted_by_id=by.id,
    )
    db.session.add(assignment)
    try:
        db.session.commit()
    except IntegrityError as error:  # the same form sent twice at once: one row, one e-mail
        db.session.rollback()
        raise Refused(f"{person.full_name} suit déjà ce territoire.") from error
    log.info("référent %s : territoire %s donné par %s", person.id, territory.value, by.id)
    send_notice(
        person.email,
        "Vous êtes référent local Café IA",
        f"Bonjour {person.first_name},\n\nVous suivez désormais ce territoire : {territory.label}.\n\n"
        f"Motif : {reason}\n\nVotre page « Mon territoire » : {_url('referents.territory')}\n",
        kind="référent octroi",
    )
    return assignment


def withdraw(assignment: Assignment, by: User, reason: str) -> None:
    person = db.session.get(User, assignment.user_id)
    territory = Territory(assignment.kind, assignment.code)
    db.session.execute(delete(Assignment).where(Assignment.id == assignment.id))
    db.session.commit()
    log.info("référent %s : territoire %s retiré par %s", person.id, territory.value, by.id)
    send_notice(
        person.email,
        "Votre rôle de référent local Café IA",
        f"Bonjour {person.first_name},\n\nVous ne suivez plus ce territoire : {territory.label}.\n\n"
        f"Motif : {reason}\n",
        kind="référent retrait",
    )


def _url(endpoint: str) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint)


# --- what a référent sees ----------------------------------------------------------------------


def listings_in(codes: set[str]) -> list[Listing]:
    """The annuaire's public listings of the territory: certified animateurs who agreed to be
    shown and contacted (a hidden listing or a revoked status is not there)."""
    return db.session.scalars(
        public_listings()
        .where(Listing.departement_code.in_(codes))
        .order_by(Listing.departement_code, Listing.display_name)
    ).all()


def unlisted_certified(codes: set[str]) -> int:
    """Certified animateurs of the territory without a public listing: a number, no name
    (they did not agree to be shown)."""
    listed = select(Listing.user_id).where(Listing.visible.is_(True))
    return db.session.scalar(
        select(func.count())
        .select_from(Certificate)
        .join(User, User.id == Certificate.user_id)
        .where(
            Certificate.revoked_at.is_(None),
            User.departement_code.in_(codes),
            Certificate.user_id.not_in(listed),
        )
    )


def cafes_in(codes: set[str], past: bool) -> list[Cafe]:
    """Every café of the territory, hidden and cancelled ones included (to moderate them)."""
    statement = select(Cafe).where(Cafe.departement_code.in_(codes))
    if past:
        statement = statement.where(Cafe.day < date.today()).order_by(Cafe.day.desc())
        return db.session.scalars(statement.limit(PAST_SHOWN)).all()
    return db.session.scalars(
        statement.where(Cafe.day >= date.today()).order_by(Cafe.day, Cafe.starts)
    ).all()


def cafe_in(codes: set[str], cafe_id: int) -> Cafe | None:
    return db.session.scalar(
        select(Cafe).where(Cafe.id == cafe_id, Cafe.departement_code.in_(codes))
    )


def reach(codes: set[str]) -> dict:
    """Cafés held and people reached, by département, from the submitted reports (as the
    national statistics count them); the small-cell rule on people."""
    found = {
        code: (held, people)
        for code, held, people in db.session.execute(
            select(
                CafeReport.departement_code,
                func.count(CafeReport.id),
                func.coalesce(func.sum(CafeReport.participants), 0),
            )
            .where(CafeReport.status == SUBMITTED, CafeReport.departement_code.in_(codes))
            .group_by(CafeReport.departement_code)
        )
    }
    raw = [
        {"departement": code, "cafes": held, "people": people}
        for code in sorted(codes)
        for held, people in [found.get(code, (0, 0))]
    ]
    total = {"cafes": sum(r["cafes"] for r in raw), "people": shown(sum(r["people"] for r in raw))}
    return {"rows": protect(raw, ["people"], total), "total": total}


def reports_in(codes: set[str]) -> list[tuple[CafeReport, Cafe | None]]:
    """The territory's submitted reports, newest first, with their café when it still exists."""
    return db.session.execute(
        select(CafeReport, Cafe)
        .outerjoin(Cafe, Cafe.id == CafeReport.cafe_id)
        .where(CafeReport.status == SUBMITTED, CafeReport.departement_code.in_(codes))
        .order_by(CafeReport.held_on.desc(), CafeReport.id.desc())
        .limit(PAST_SHOWN)
    ).all()


# --- moderation: the agenda's own service, on the territory's cafés only -----------------------


def hide(cafe: Cafe, referent: User, reason: str) -> bool:
    return cafes.hide(cafe, referent, reason)


def hidden_nationally(cafe: Cafe) -> bool:
    """Hidden by a national admin: a référent does not overrule it."""
    if cafe.hidden_at is None or cafe.hidden_by_id is None:
        return False
    return db.session.scalar(select(User.role).where(User.id == cafe.hidden_by_id)) == Role.ADMIN


def show_again(cafe: Cafe) -> bool:
    if hidden_nationally(cafe):
        return False
    cafes.show_again(cafe)
    return True


# --- messages to the territory's animateurs -----------------------------------------------------


def sent_today(referent: User) -> int:
    since = utcnow() - timedelta(days=1)
    return db.session.scalar(
        select(func.count())
        .select_from(SentMessage)
        .where(SentMessage.referent_id == referent.id, SentMessage.sent_at >= since)
    )


def may_send(referent: User) -> bool:
    return sent_today(referent) < MESSAGES_PER_DAY


def send_message(referent: User, subject: str, body: str, submission: str) -> int | None:
    """One e-mail per animateur of the territory who accepts contact; Reply-To: the référent.
    Recorded first, under the page's token: the same page sent twice (a double click, two
    tabs) finds the record and sends nothing (None). A failing server still counts."""
    recipients = listings_in(territory_of(referent))
    record = SentMessage(
        referent_id=referent.id,
        subject=subject,
        recipients=len(recipients),
        submission=submission,
    )
    db.session.add(record)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.info("message de référent déjà envoyé : %s", referent.id)
        return None
    with one_session():
        for listing in recipients:
            animateur = db.session.get(User, listing.user_id)
            send_mail(
                animateur.email,
                f"Café IA — {subject}",
                f"Bonjour {listing.display_name},\n\n{referent.full_name}, référent local Café IA "
                f"de votre territoire, vous écrit :\n\n{body}\n\nPour lui répondre, répondez à cet "
                f"e-mail. (Ce message vous parvient parce que votre fiche de l'annuaire est publiée ; "
                f"votre adresse ne lui a pas été communiquée.)\n",
                kind="message référent",
                reply_to=referent.email,
            )
    log.info("message du référent %s : %s destinataires", referent.id, len(recipients))
    return len(recipients)


# --- personal data -----------------------------------------------------------------------------


def personal_data(user) -> dict:
    return {
        "territoires": [
            {
                "territoire": Territory(a.kind, a.code).label,
                "motif": a.reason,
                "depuis": a.granted_at.isoformat(),
            }
            for a in assignments(user)
        ],
        # An admin's grants name them (granted_by): theirs to download too.
        "territoires_donnes": [
            {
                "referent": person.full_name,
                "territoire": Territory(a.kind, a.code).label,
                "le": a.granted_at.isoformat(),
            }
            for a, person in all_assignments()
            if a.granted_by_id == user.id
        ],
        "messages_envoyes": [
            {"objet": m.subject, "envoye_le": m.sent_at.isoformat(), "destinataires": m.recipients}
            for m in db.session.scalars(
                select(SentMessage)
                .where(SentMessage.referent_id == user.id)
                .order_by(SentMessage.id)
            )
        ],
    }
