"""Listings: written by their animateur, shown only while the status is valid."""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from certificates.models import Certificate
from lms.concurrency import retry_on_conflict
from lms.departements import all_departements, departement
from lms.extensions import db
from lms.mail import MailUnavailable, send_mail
from lms.models import utcnow

from .models import AUDIENCES, FORMATS, Listing, RelayedMessage, fold

log = logging.getLogger(__name__)
PER_PAGE = 20
# ASCII digits only: int() would also read "١" or " 2", which no link of ours produces.
PAGE = re.compile(r"[1-9][0-9]{0,5}")
# How long a relayed contact page is remembered: any double click or retried request is over.
RELAY_MEMORY = timedelta(days=1)


def public_listings():
    """Visible listings of people whose status is valid: a revoked status hides at once."""
    return (
        select(Listing)
        .join(Certificate, Certificate.user_id == Listing.user_id)
        .where(Listing.visible.is_(True), Certificate.revoked_at.is_(None))
    )


@dataclass
class Filters:
    q: str = ""
    region: str = ""
    departement: str = ""
    commune: str = ""
    format: str = ""
    public: str = ""

    @classmethod
    def from_args(cls, args) -> "Filters":
        """Read the search; an unknown value raises ValueError with a French message."""
        filters = cls(
            **{name: args.get(name, "").strip()[:100] for name in cls.__dataclass_fields__}
        )
        regions = {d.region for d in all_departements().values()}
        checks = [
            (filters.region, regions, "Région inconnue."),
            (filters.departement, all_departements(), "Département inconnu."),
            (filters.format, FORMATS, "Format inconnu."),
            (filters.public, AUDIENCES, "Public inconnu."),
        ]
        for value, known, message in checks:
            if value and value not in known:
                raise ValueError(message)
        return filters

    def apply(self, statement):
        # Every word, in any field, whatever its case and accents; % and _ are only text.
        for word in fold(self.q).split():
            statement = statement.where(Listing.search_text.contains(word, autoescape=True))
        if self.region:
            statement = statement.where(Listing.region == self.region)
        if self.departement:
            statement = statement.where(Listing.departement_code == self.departement)
        if self.commune:
            statement = statement.where(func.lower(Listing.commune) == self.commune.lower())
        # JSON lists: stored as text, where the quoted value can only be the value itself.
        for column, value in ((Listing.formats, self.format), (Listing.audiences, self.public)):
            if value:
                statement = statement.where(func.cast(column, db.String).like(f'%"{value}"%'))
        return statement


def page_number(raw: str) -> int:
    """The page asked for in the address; anything but a whole number from 1 raises ValueError."""
    if not PAGE.fullmatch(raw):
        raise ValueError("Numéro de page invalide : indiquez un nombre entier à partir de 1.")
    return int(raw)


def search(filters: Filters, page: int):
    """One page of results; a page past the last raises ValueError rather than showing none."""
    statement = filters.apply(public_listings()).order_by(
        Listing.departement_code, Listing.display_name
    )
    results = db.paginate(statement, page=page, per_page=PER_PAGE, error_out=False)
    last = max(results.pages, 1)  # no result still makes one page, the one that says so
    if page > last:
        pages = f"{last} page{'s' if last > 1 else ''}"
        raise ValueError(f"La page {page} n'existe pas : cette recherche tient sur {pages}.")
    return results


def counts_by_departement() -> dict[str, int]:
    listed = public_listings().subquery()
    rows = db.session.execute(
        select(listed.c.departement_code, func.count()).group_by(listed.c.departement_code)
    )
    return dict(rows.all())


def public_listing(listing_id: int) -> Listing | None:
    return db.session.scalar(public_listings().where(Listing.id == listing_id))


def listing_of(user) -> Listing | None:
    return db.session.scalar(select(Listing).where(Listing.user_id == user.id))


def save(user, form) -> Listing:
    """Create or update the listing; the consent date is the date of each agreement.

    One listing per person (unique user_id): a first listing sent twice at once makes the
    refused request run again, and it updates the listing the other created.
    """
    return retry_on_conflict(lambda: _save(user, form))


def _save(user, form) -> Listing:
    listing = listing_of(user) or Listing(user_id=user.id)
    contact = form.contact_mode.data
    listing.display_name = form.display_name.data.strip()
    listing.structure = form.structure.data.strip()
    listing.commune = form.commune.data.strip()
    listing.departement_code = form.departement.data
    listing.region = departement(form.departement.data).region
    listing.formats, listing.audiences = list(form.formats.data), list(form.audiences.data)
    listing.presentation = (form.presentation.data or "").strip()
    listing.contact_mode = contact
    listing.public_email = form.public_email.data.strip() if contact == "email" else None
    listing.public_phone = form.public_phone.data.strip() if contact == "telephone" else None
    listing.consented_at = utcnow()
    db.session.add(listing)
    db.session.commit()
    log.info("fiche d'annuaire enregistrée : utilisateur %s", user.id)
    return listing


def set_visible(listing: Listing, visible: bool) -> None:
    """The state the owner asked for, whatever it was: sent twice, the same state."""
    listing.visible = visible
    db.session.commit()


def withdraw(user) -> bool:
    """Delete the person's listing, their consent withdrawn; False if it was gone already.

    One DELETE that counts what it removed: withdrawn twice, at once or one after the other,
    the listing goes once, and the second request learns it was gone instead of failing.
    """
    removed = db.session.execute(delete(Listing).where(Listing.user_id == user.id)).rowcount
    db.session.commit()
    if removed:
        log.info("fiche d'annuaire retirée : utilisateur %s", user.id)
    return removed == 1


def relay(listing: Listing, form, submission: str) -> bool:
    """Forward a visitor's message once per form page; False if that page's was sent already.

    The visitor has no account: the page's one-time token (`envoi`) is the only key. It is
    claimed before the e-mail leaves (a row under a unique constraint, committed first), so of
    the page sent twice, at once or not, one request mails the animateur and the other finds
    the claim and sends nothing. A mail server that fails releases the claim: the page sent
    again tries again.
    """
    claim = retry_on_conflict(lambda: _claim_relay(listing, submission))
    if claim is None:
        log.info("message déjà relayé vers la fiche %s", listing.id)
        return False
    try:
        _send_relay(listing, form)
    except MailUnavailable:
        db.session.execute(delete(RelayedMessage).where(RelayedMessage.id == claim))
        db.session.commit()
        raise
    return True


def _claim_relay(listing: Listing, submission: str) -> int | None:
    """The claim's row id, or None when this page's message was relayed already."""
    if _already_relayed(listing, submission):
        return None
    forgotten = RelayedMessage.sent_at < utcnow() - RELAY_MEMORY
    db.session.execute(delete(RelayedMessage).where(forgotten))
    claim = RelayedMessage(listing_id=listing.id, submission=submission)
    db.session.add(claim)
    db.session.flush()
    claim_id = claim.id
    db.session.commit()
    return claim_id


def _already_relayed(listing: Listing, submission: str) -> bool:
    return bool(
        db.session.scalar(
            select(RelayedMessage.id).where(
                RelayedMessage.listing_id == listing.id, RelayedMessage.submission == submission
            )
        )
    )


def _send_relay(listing: Listing, form) -> None:
    """Neither side sees the other's address until they answer (Reply-To: the visitor)."""
    from lms.models import User

    animateur = db.session.get(User, listing.user_id)
    send_mail(
        animateur.email,
        f"Café IA : un message de {form.name.data.strip()}",
        f"Bonjour {listing.display_name},\n\n{form.name.data.strip()} vous écrit depuis "
        f"l'annuaire des animateurs Café IA :\n\n{form.message.data.strip()}\n\n"
        f"Pour répondre, écrivez à : {form.email.data.strip()}\n\n"
        f"(Ce message vous est transmis par {current_app.config['BASE_URL']} : "
        "votre adresse n'a pas été communiquée.)\n",
        kind="relais annuaire",
        reply_to=form.email.data.strip(),  # « Répondre » reaches the visitor, not no-reply
    )
    log.info("message relayé vers la fiche %s", listing.id)
