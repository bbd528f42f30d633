"""Cafés: announced by certified animateurs, found by the public, joined without an account.

Shown only while their animateur's status is valid: a revoked status hides them at once (the
query joins the certificate), a restored one shows them again, nothing is copied.
"""

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update

from annuaire.models import Listing
from annuaire.services import public_listings
from certificates import status
from certificates.models import Certificate
from lms.concurrency import claim, locked, retry_on_conflict
from lms.departements import all_departements, departement
from lms.extensions import db
from lms.formatting import heure, jour_et_date
from lms.mail import one_session, send_notice
from lms.models import User, utcnow
from lms.params import date_in_range, date_range_message

from . import ical, statements
from .models import CONFIRMED, WAITING, Cafe, CoAnimateur, Registration

log = logging.getLogger(__name__)
# Participants' names and contacts are kept four weeks after the café: long enough for the
# animateur to send them the café's summary and next steps (the recipe's fifth step), no longer.
ERASE_AFTER = timedelta(weeks=4)
PER_PAGE = 20
MAX_CAPACITY = 40  # the kit recommends about 20; a room may hold a few more
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Overseas, a café's hours are local hours: the iCalendar and the JSON-LD say which zone.
ZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "976": "Indian/Mayotte",
}


def zone(cafe: Cafe) -> ZoneInfo:
    return ZoneInfo(ZONES.get(cafe.departement_code, "Europe/Paris"))


def start_of(cafe: Cafe) -> datetime:
    return datetime.combine(cafe.day, cafe.starts, zone(cafe))


def end_of(cafe: Cafe) -> datetime:
    return datetime.combine(cafe.day, cafe.ends, zone(cafe))


def can_announce(user) -> bool:
    return user.is_authenticated and status.status_of(user) == status.CERTIFIED


# --- what the public sees ----------------------------------------------------------------------


def shown_cafes():
    """Cafés of animateurs whose status is valid, not hidden by a moderator, not cancelled."""
    return (
        select(Cafe)
        .join(Certificate, Certificate.user_id == Cafe.animateur_id)
        .where(
            Certificate.revoked_at.is_(None),
            Cafe.hidden_at.is_(None),
            Cafe.cancelled_at.is_(None),
        )
    )


def upcoming_cafes():
    return shown_cafes().where(Cafe.day >= date.today())


def public_cafe(cafe_id: int) -> Cafe | None:
    """A café page exists while its animateur is certified and no moderator hid it; a
    cancelled café keeps its page, which says so."""
    return db.session.scalar(
        select(Cafe)
        .join(Certificate, Certificate.user_id == Cafe.animateur_id)
        .where(Cafe.id == cafe_id, Certificate.revoked_at.is_(None), Cafe.hidden_at.is_(None))
    )


@dataclass
class Filters:
    region: str = ""
    departement: str = ""
    format: str = ""
    public: str = ""
    du: str = ""
    au: str = ""

    @classmethod
    def from_args(cls, args) -> "Filters":
        """Read the filters; a value no link of ours makes raises ValueError in French."""
        from annuaire.models import AUDIENCES

        from .models import FORMATS

        filters = cls(
            **{name: args.get(name, "").strip()[:30] for name in cls.__dataclass_fields__}
        )
        regions = {d.region for d in all_departements().values()}
        for value, known, message in [
            (filters.region, regions, "Région inconnue."),
            (filters.departement, all_departements(), "Département inconnu."),
            (filters.format, FORMATS, "Format inconnu."),
            (filters.public, AUDIENCES, "Public inconnu."),
        ]:
            if value and value not in known:
                raise ValueError(message)
        first, last = filters.dates()
        if first and last and first > last:
            raise ValueError("La date de début de la période doit précéder sa date de fin.")
        return filters

    def dates(self) -> tuple[date | None, date | None]:
        return _day(self.du, "du"), _day(self.au, "au")

    def apply(self, statement):
        for column, value in (
            (Cafe.region, self.region),
            (Cafe.departement_code, self.departement),
            (Cafe.format, self.format),
            (Cafe.audience, self.public),
        ):
            if value:
                statement = statement.where(column == value)
        first, last = self.dates()
        if first:
            statement = statement.where(Cafe.day >= first)
        if last:
            statement = statement.where(Cafe.day <= last)
        return statement

    def args(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if value}


def _day(raw: str, name: str) -> date | None:
    if not raw:
        return None
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"« {name} » doit être une date au format AAAA-MM-JJ.") from None
    if not date_in_range(day):
        raise ValueError(date_range_message())
    return day


def agenda(filters: Filters, page: int):
    statement = filters.apply(upcoming_cafes()).order_by(Cafe.day, Cafe.starts, Cafe.id)
    results = db.paginate(statement, page=page, per_page=PER_PAGE, error_out=False)
    last = max(results.pages, 1)
    if page > last:
        raise ValueError(f"La page {page} n'existe pas : cet agenda tient sur {last} page(s).")
    return results


def counts_by_departement(filters: Filters) -> dict[str, int]:
    shown = filters.apply(upcoming_cafes()).subquery()
    rows = db.session.execute(
        select(shown.c.departement_code, func.count()).group_by(shown.c.departement_code)
    )
    return dict(rows.all())


def cafes_of(user_id: int, past: bool):
    """An animateur's public cafés: those to come, or those held (newest first)."""
    statement = shown_cafes().where(Cafe.animateur_id == user_id)
    if past:
        return db.session.scalars(
            statement.where(Cafe.day < date.today()).order_by(Cafe.day.desc()).limit(50)
        ).all()
    return db.session.scalars(
        statement.where(Cafe.day >= date.today()).order_by(Cafe.day, Cafe.starts)
    ).all()


def animateur_listing(user_id: int) -> Listing | None:
    """The public name of an animateur: their annuaire listing, if they published one."""
    return db.session.scalar(public_listings().where(Listing.user_id == user_id))


def animateur_name(cafe: Cafe) -> str:
    listing = animateur_listing(cafe.animateur_id)
    if listing:
        return listing.display_name
    user = db.session.get(User, cafe.animateur_id)
    return f"{user.first_name} {user.last_name[:1]}."


def co_animateur_listings(cafe: Cafe) -> list[Listing]:
    ids = [c.listing_id for c in cafe.co_animateurs]
    if not ids:
        return []
    return db.session.scalars(public_listings().where(Listing.id.in_(ids))).all()


def co_animateur_choices(user) -> list[Listing]:
    """Whom the animateur may name: the other public listings of the annuaire."""
    return db.session.scalars(
        public_listings().where(Listing.user_id != user.id).order_by(Listing.display_name)
    ).all()


# --- the animateur's cafés ---------------------------------------------------------------------


def own_cafes(user) -> list[Cafe]:
    return db.session.scalars(
        select(Cafe).where(Cafe.animateur_id == user.id).order_by(Cafe.day.desc(), Cafe.starts)
    ).all()


def own_cafe(user, cafe_id: int) -> Cafe | None:
    return db.session.scalar(select(Cafe).where(Cafe.id == cafe_id, Cafe.animateur_id == user.id))


def save(user, form, cafe: Cafe | None = None, submission: str | None = None) -> Cafe:
    """Announce a café (cafe None) or change one; the statement « schedule » comes once.

    An announcement keeps its page's token (unique per animateur): the page sent twice, at
    once or not, finds the café the first send announced instead of announcing another.
    """
    if cafe is None:
        return retry_on_conflict(lambda: _announce(user, form, submission))
    _fill(cafe, form)
    db.session.commit()
    _promote_waiting(cafe)
    log.info("café %s modifié : utilisateur %s", cafe.id, user.id)
    return cafe


def _announce(user, form, submission: str | None) -> Cafe:
    if submission and (
        known := db.session.scalar(
            select(Cafe).where(Cafe.animateur_id == user.id, Cafe.submission == submission)
        )
    ):
        return known
    cafe = Cafe(animateur_id=user.id, submission=submission)
    _fill(cafe, form)
    db.session.add(cafe)
    db.session.flush()
    statements.scheduled(user, cafe)
    db.session.commit()
    log.info("café %s annoncé : utilisateur %s", cafe.id, user.id)
    return cafe


def _fill(cafe: Cafe, form) -> None:
    cafe.title = form.title.data
    cafe.day, cafe.starts, cafe.ends = form.day.data, form.starts.data, form.ends.data
    cafe.format = form.format.data
    cafe.structure = form.structure.data
    cafe.address = form.address.data or ""
    cafe.commune = form.commune.data
    cafe.departement_code = form.departement.data
    cafe.region = departement(form.departement.data).region
    online = form.format.data != "presentiel"
    cafe.online_link = (form.online_link.data or "") if online else ""
    other = form.animation.data == "autre"
    cafe.animation_other = (form.animation_other.data or "") if other else ""
    cafe.audience = form.audience.data
    cafe.animation = form.animation.data
    cafe.capacity = form.capacity.data
    cafe.description = form.description.data or ""
    chosen = {int(i) for i in form.co_animateurs.data}
    cafe.co_animateurs = [c for c in cafe.co_animateurs if c.listing_id in chosen] + [
        CoAnimateur(listing_id=i)
        for i in sorted(chosen - {c.listing_id for c in cafe.co_animateurs})
    ]


def cancel(user, cafe: Cafe) -> bool:
    """Cancel once (two clicks: one cancellation, one e-mail each); participants are told."""
    if not claim(
        update(Cafe)
        .where(Cafe.id == cafe.id, Cafe.cancelled_at.is_(None))
        .values(cancelled_at=utcnow())
    ):
        db.session.rollback()
        return False
    statements.cancelled(user, cafe)
    db.session.commit()
    db.session.refresh(cafe)
    with one_session():
        for registration in registrations(cafe):
            tell_cancelled(cafe, registration)
    log.info("café %s annulé : utilisateur %s", cafe.id, user.id)
    return True


def tell_cancelled(cafe: Cafe, registration: Registration) -> None:
    _tell(
        registration,
        f"Café IA annulé : {cafe.title}",
        f"Bonjour {registration.name},\n\nLe Café IA « {cafe.title} » du "
        f"{french_day(cafe)} est annulé. Nous en sommes désolés.\n\n"
        f"D'autres cafés vous attendent dans l'agenda : {_url('cafes.agenda')}\n",
        "annulation café",
    )


def registrations(cafe: Cafe) -> list[Registration]:
    return db.session.scalars(
        select(Registration)
        .where(Registration.cafe_id == cafe.id)
        .order_by(Registration.status, Registration.id)
    ).all()


# --- registration without an account -----------------------------------------------------------


class Closed(Exception):
    """The café is past, cancelled or hidden: nobody registers any more."""


def is_open(cafe: Cafe) -> bool:
    return cafe.cancelled_at is None and cafe.hidden_at is None and cafe.day >= date.today()


def register(cafe: Cafe, name: str, email: str | None, phone: str | None) -> Registration:
    """Take a seat if one is left, else a place on the waiting list.

    The seat is claimed by a conditional UPDATE (seats_taken < capacity): of two people after
    the last seat, at the same instant, one gets it and the other waits. An e-mail registered
    twice is one registration (unique per café): the second request finds the first.
    """
    if not is_open(cafe):
        raise Closed
    email = email.lower() if email else None
    return retry_on_conflict(lambda: _register(cafe.id, name, email, phone))


def _register(cafe_id: int, name: str, email: str | None, phone: str | None) -> Registration:
    if email and (
        known := db.session.scalar(
            select(Registration).where(Registration.cafe_id == cafe_id, Registration.email == email)
        )
    ):
        return known
    seated = _claim_seat(cafe_id)
    registration = Registration(
        cafe_id=cafe_id,
        name=name,
        email=email,
        phone=phone,
        status=CONFIRMED if seated else WAITING,
        token=secrets.token_urlsafe(32),
    )
    db.session.add(registration)
    db.session.commit()
    return registration


def confirm_by_mail(cafe: Cafe, registration: Registration) -> None:
    if not registration.email:
        return
    if registration.status == CONFIRMED:
        subject = f"Inscription confirmée : {cafe.title}"
        what = "Votre place est réservée"
    else:
        subject = f"Liste d'attente : {cafe.title}"
        what = (
            "Le café est complet : vous êtes sur la liste d'attente. Si une place se libère, "
            "elle vous est donnée et un e-mail vous le dit"
        )
    _tell(
        registration,
        subject,
        f"Bonjour {registration.name},\n\n{what} pour le Café IA « {cafe.title} », "
        f"{french_day(cafe)}.\n\n{where(cafe, registration)}\n\n"
        "La participation est gratuite.\n\n"
        f"Vous ne pouvez plus venir ? Annulez ici : {cancel_url(registration)}\n\n"
        f"Vos nom et adresse sont effacés {erase_weeks()} semaines après le café.\n",
        "inscription café",
        attachments=(("cafe-ia.ics", "text/calendar", ical.single(cafe, registration)),),
    )


def where(cafe: Cafe, registration: Registration | None = None) -> str:
    place = ", ".join(p for p in (cafe.structure, cafe.address, cafe.commune) if p)
    lines = [] if cafe.format == "en_ligne" else [f"Lieu : {place}"]
    if cafe.format != "presentiel" and registration and registration.status == CONFIRMED:
        lines.append(f"Lien de connexion : {cafe.online_link or 'envoyé par l’animateur·rice'}")
    return "\n".join(lines)


def registration_by_token(token: str) -> Registration | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{40,64}", token or ""):
        return None
    return db.session.scalar(select(Registration).where(Registration.token == token))


def cancel_registration(registration_id: int) -> bool:
    """Remove a registration; its seat goes to the first on the waiting list, who is told.

    On PostgreSQL the café's row is locked first, so cancellations of one café run one after
    the other; everywhere, the DELETE and the seat count are single statements, never a value
    read then written back, so two cancellations at once free two seats.
    """
    cafe_id = db.session.scalar(
        select(Registration.cafe_id).where(Registration.id == registration_id)
    )
    if cafe_id is None:
        return False
    db.session.scalar(locked(select(Cafe.id).where(Cafe.id == cafe_id)))
    seated = db.session.scalar(
        select(Registration.status).where(Registration.id == registration_id)
    )
    gone = db.session.execute(
        delete(Registration).where(
            Registration.id == registration_id, Registration.status == seated
        )
    ).rowcount
    if not gone:  # cancelled, or moved up, by another request meanwhile
        db.session.rollback()
        return cancel_registration(registration_id) if seated else False
    if seated == CONFIRMED:
        db.session.execute(
            update(Cafe).where(Cafe.id == cafe_id).values(seats_taken=Cafe.seats_taken - 1)
        )
    db.session.commit()
    if seated == CONFIRMED:
        _promote_waiting(db.session.get(Cafe, cafe_id))
    return True


def _promote_waiting(cafe: Cafe) -> None:
    """Give the free seats in the order people joined the waiting list: each seat is claimed
    like a registration's, then the first waiting person's place, in one transaction."""
    promoted = []
    while is_open(cafe):
        first = db.session.scalar(
            select(Registration.id)
            .where(Registration.cafe_id == cafe.id, Registration.status == WAITING)
            .order_by(Registration.id)
            .limit(1)
        )
        if first is None or not _claim_seat(cafe.id):
            db.session.rollback()
            break
        if claim(
            update(Registration)
            .where(Registration.id == first, Registration.status == WAITING)
            .values(status=CONFIRMED)
        ):
            promoted.append(first)
            db.session.commit()
        else:  # another request moved that person up: give the seat back, look again
            db.session.rollback()
    db.session.refresh(cafe)
    for registration in db.session.scalars(
        select(Registration).where(Registration.id.in_(promoted))
    ):
        _tell(
            registration,
            f"Une place s'est libérée : {cafe.title}",
            f"Bonjour {registration.name},\n\nUne place s'est libérée : vous êtes inscrit·e au "
            f"Café IA « {cafe.title} », {french_day(cafe)}.\n\n{where(cafe, registration)}\n\n"
            f"Vous ne pouvez plus venir ? Annulez ici : {cancel_url(registration)}\n",
            "place libérée café",
            attachments=(("cafe-ia.ics", "text/calendar", ical.single(cafe, registration)),),
        )


def _claim_seat(cafe_id: int) -> bool:
    return claim(
        update(Cafe)
        .where(Cafe.id == cafe_id, Cafe.seats_taken < Cafe.capacity)
        .values(seats_taken=Cafe.seats_taken + 1)
    )


# --- moderation --------------------------------------------------------------------------------


def hide(cafe: Cafe, by, reason: str) -> bool:
    """A moderator hides a café once, the reason kept; the animateur is told why."""
    if not claim(
        update(Cafe)
        .where(Cafe.id == cafe.id, Cafe.hidden_at.is_(None))
        .values(hidden_at=utcnow(), hidden_reason=reason, hidden_by_id=by.id)
    ):
        db.session.rollback()
        return False
    db.session.commit()
    animateur = db.session.get(User, cafe.animateur_id)
    send_notice(
        animateur.email,
        f"Votre Café IA « {cafe.title} » est masqué",
        f"Bonjour {animateur.first_name},\n\nVotre Café IA « {cafe.title} » du "
        f"{french_day(cafe)} a été masqué de l'agenda public par l'équipe de modération, "
        f"pour le motif suivant :\n\n{reason}\n\nPour en parler, répondez à cet e-mail.\n",
        kind="modération café",
    )
    log.info("café %s masqué par %s", cafe.id, by.id)
    return True


def show_again(cafe: Cafe) -> None:
    cafe.hidden_at = None
    db.session.commit()


def moderation_list() -> list[Cafe]:
    return db.session.scalars(
        select(Cafe).where(Cafe.day >= date.today() - ERASE_AFTER).order_by(Cafe.day, Cafe.id)
    ).all()


# --- the daily work: reminders, cafés held, erasure ----------------------------------------------


def send_reminders(today: date | None = None) -> int:
    """The day before, each confirmed participant with an e-mail gets one reminder, claimed
    first: two runs of the command never remind anyone twice."""
    tomorrow = (today or date.today()) + timedelta(days=1)
    due = db.session.execute(
        select(Registration.id, Cafe.id)
        .join(Cafe, Cafe.id == Registration.cafe_id)
        .where(
            Cafe.day == tomorrow,
            Cafe.cancelled_at.is_(None),
            Cafe.hidden_at.is_(None),
            Registration.status == CONFIRMED,
            Registration.email.is_not(None),
            Registration.reminded_at.is_(None),
        )
    ).all()
    sent = 0
    with one_session():
        for registration_id, cafe_id in due:
            won = claim(
                update(Registration)
                .where(Registration.id == registration_id, Registration.reminded_at.is_(None))
                .values(reminded_at=utcnow())
            )
            db.session.commit()
            if not won:
                continue
            cafe, registration = (
                db.session.get(Cafe, cafe_id),
                db.session.get(Registration, registration_id),
            )
            _tell(
                registration,
                f"Demain : {cafe.title}",
                f"Bonjour {registration.name},\n\nPetit rappel : le Café IA « {cafe.title} » a lieu "
                f"demain, {french_day(cafe)}.\n\n{where(cafe, registration)}\n\n"
                f"Vous ne pouvez plus venir ? Libérez votre place : {cancel_url(registration)}\n",
                "rappel café",
            )
            sent += 1
    return sent


def record_held(today: date | None = None) -> int:
    """Each café that took place (past, neither cancelled nor hidden) is « hosted » once."""
    held = db.session.scalars(
        shown_cafes().where(Cafe.day < (today or date.today()), Cafe.held_recorded_at.is_(None))
    ).all()
    recorded = 0
    for cafe in held:
        if claim(
            update(Cafe)
            .where(Cafe.id == cafe.id, Cafe.held_recorded_at.is_(None))
            .values(held_recorded_at=utcnow())
        ):
            statements.hosted(db.session.get(User, cafe.animateur_id), cafe)
            recorded += 1
        db.session.commit()
    return recorded


def erase_past_participants(today: date | None = None) -> int:
    """Delete the registrations of cafés held more than ERASE_AFTER ago; keep only a count."""
    limit = (today or date.today()) - ERASE_AFTER
    cafes = db.session.scalars(
        select(Cafe).where(Cafe.day < limit, Cafe.participants_erased_at.is_(None))
    ).all()
    erased = 0
    for cafe in cafes:
        cafe.participants_count = db.session.scalar(
            select(func.count()).where(
                Registration.cafe_id == cafe.id, Registration.status == CONFIRMED
            )
        )
        erased += db.session.execute(
            delete(Registration).where(Registration.cafe_id == cafe.id)
        ).rowcount
        cafe.participants_erased_at = utcnow()
    db.session.commit()
    log.info("inscriptions effacées : %s", erased)
    return erased


# --- words and links ---------------------------------------------------------------------------


def french_date(day: date) -> str:
    return jour_et_date(day)  # « mardi 1er décembre 2026 » (lms.formatting)


def french_hour(moment) -> str:
    return heure(moment)  # « 14 h 30 », « 9 h »


def french_day(cafe: Cafe) -> str:
    return f"{french_date(cafe.day)}, de {french_hour(cafe.starts)} à {french_hour(cafe.ends)}"


def erase_weeks() -> int:
    return ERASE_AFTER.days // 7


def _url(endpoint: str, **values) -> str:
    from lms.urls import absolute_url

    return absolute_url(endpoint, **values)


def cancel_url(registration: Registration) -> str:
    return _url("cafes.unregister", token=registration.token)


def _tell(registration: Registration, subject: str, body: str, kind: str, attachments=()) -> None:
    if registration.email:
        send_notice(registration.email, subject, body, kind=kind, attachments=attachments)


def personal_cafes(user) -> list[dict]:
    return [
        {
            "titre": c.title,
            "date": c.day.isoformat(),
            "commune": c.commune,
            "departement": c.departement_code,
            "annule": c.cancelled_at is not None,
        }
        for c in own_cafes(user)
    ]
