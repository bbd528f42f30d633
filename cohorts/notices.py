"""The e-mails an import owes (a new account's link to choose a password, an invitation):
queued in the import's transaction, then sent: the first few in the request, the rest by a
background thread, so that 2,000 lines answer in a couple of seconds and no e-mail is lost.

Each notice is claimed before it is sent (fifty at a time), so two senders (a thread, the
« Reprendre l'envoi » button, `flask cohorts envoyer-emails`) never send it twice; a claim left
by a sender that died is taken again after STALE_CLAIM.
"""

import logging
import threading
from datetime import timedelta

import click
from flask import current_app
from sqlalchemy import func, or_, select, update

from lms.concurrency import locked
from lms.extensions import db
from lms.mail import MailUnavailable, one_session, send_mail
from lms.models import User, utcnow

from . import bp, services, welcome
from .invitations import invitation_body
from .models import Cohort, CohortInvitation, CohortMember, CohortNotice

log = logging.getLogger(__name__)
IMMEDIATE = 10  # e-mails sent within the import's request; the others in the background
STALE_CLAIM = timedelta(minutes=15)
# Notices claimed by one UPDATE: a claim and its commit for each e-mail cost more than the e-mail.
CLAIM_BATCH = 50
_THREADS_LOCK = threading.Lock()
RESEND_GAP = timedelta(minutes=5)  # an invitation sent again waits this long after the last


def queue(cohort, inviter, created: list[int], invited: list[int]) -> None:
    """In the import's transaction: what to send to whom, once it is committed. One time for
    the whole import: the progress counts the e-mails of the imports not yet fully sent."""
    now = utcnow()
    db.session.add_all(
        [
            CohortNotice(
                cohort_id=cohort.id,
                user_id=uid,
                kind=kind,
                created_at=now,
                invited_by_id=inviter.id,
            )
            for kind, ids in ((CohortNotice.ACCOUNT, created), (CohortNotice.INVITATION, invited))
            for uid in ids
        ]
    )


class TooSoon(Exception):
    """An invitation to this person left (or is leaving) less than RESEND_GAP ago."""


def resend(cohort, inviter, person: User) -> str:
    """Queue the invitation again: the first-password link for an imported account that has
    no password yet, else the consent invitation still awaiting an answer. Returns its kind.

    Raises ValueError when there is nothing to send again, TooSoon when one left moments ago
    (a double click sends one e-mail)."""
    kind = _kind_owed(cohort, person)
    if kind is None:
        raise ValueError(
            "Rien à renvoyer : cette personne a déjà choisi son mot de passe ou répondu à "
            "l'invitation."
        )
    db.session.execute(locked(select(Cohort.id).where(Cohort.id == cohort.id)))
    recent = db.session.scalar(
        select(CohortNotice.id).where(
            CohortNotice.cohort_id == cohort.id,
            CohortNotice.user_id == person.id,
            or_(CohortNotice.sent_at.is_(None), CohortNotice.sent_at > utcnow() - RESEND_GAP),
        )
    )
    if recent:
        db.session.rollback()
        raise TooSoon
    queue(
        cohort, inviter, *(([person.id], []) if kind == CohortNotice.ACCOUNT else ([], [person.id]))
    )
    db.session.commit()
    log.info("cohorte %s : invitation renvoyée à l'utilisateur %s", cohort.id, person.id)
    return kind


def resend_waiting(cohort, inviter) -> int:
    """Queue again every consent invitation still unanswered and not sent moments ago."""
    members = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    recent = select(CohortNotice.user_id).where(
        CohortNotice.cohort_id == cohort.id,
        or_(CohortNotice.sent_at.is_(None), CohortNotice.sent_at > utcnow() - RESEND_GAP),
    )
    db.session.execute(locked(select(Cohort.id).where(Cohort.id == cohort.id)))
    people = db.session.scalars(
        select(CohortInvitation.user_id).where(
            CohortInvitation.cohort_id == cohort.id,
            CohortInvitation.state == CohortInvitation.PENDING,
            CohortInvitation.user_id.not_in(members),
            CohortInvitation.user_id.not_in(recent),
        )
    ).all()
    queue(cohort, inviter, [], list(people))
    db.session.commit()
    log.info("cohorte %s : %d invitation(s) renvoyée(s)", cohort.id, len(people))
    return len(people)


def owed(cohort, person: User) -> str | None:
    """What can be sent again to this person: ACCOUNT, INVITATION or nothing (None)."""
    return _kind_owed(cohort, person)


def _kind_owed(cohort, person: User) -> str | None:
    member = db.session.scalar(
        select(CohortMember.id).where(
            CohortMember.cohort_id == cohort.id, CohortMember.user_id == person.id
        )
    )
    if member:
        return CohortNotice.ACCOUNT if person.password_hash is None else None
    pending = db.session.scalar(
        select(CohortInvitation.id).where(
            CohortInvitation.cohort_id == cohort.id,
            CohortInvitation.user_id == person.id,
            CohortInvitation.state == CohortInvitation.PENDING,
        )
    )
    return CohortNotice.INVITATION if pending else None


def _available():
    return or_(CohortNotice.claimed_at.is_(None), CohortNotice.claimed_at < utcnow() - STALE_CLAIM)


def _claim(cohort_id: int | None, most: int) -> list[int]:
    """Claim up to `most` queued notices, oldest first, in one UPDATE and one commit; returns
    the ones this sender won (those another sender claimed meanwhile are left to it)."""
    while True:
        statement = select(CohortNotice.id).where(CohortNotice.sent_at.is_(None), _available())
        if cohort_id is not None:
            statement = statement.where(CohortNotice.cohort_id == cohort_id)
        ids = db.session.scalars(statement.order_by(CohortNotice.id).limit(most)).all()
        if not ids:
            return []
        won = db.session.scalars(
            update(CohortNotice)
            .where(CohortNotice.id.in_(ids), CohortNotice.sent_at.is_(None), _available())
            .values(claimed_at=utcnow())
            .returning(CohortNotice.id)
            .execution_options(synchronize_session=False)
        ).all()
        db.session.commit()
        if won:  # else another sender took them all first: try the next ones
            return sorted(won)


def _release(ids: list[int]) -> None:
    """Claimed notices not sent: queued again, for the next pass."""
    db.session.execute(
        update(CohortNotice)
        .where(CohortNotice.id.in_(ids))
        .values(claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _send(notice: CohortNotice) -> None:
    user = db.session.get(User, notice.user_id)
    cohort = db.session.get(Cohort, notice.cohort_id)
    inviter = _inviter(notice, cohort)
    if notice.kind == CohortNotice.ACCOUNT:
        if user.password_hash is None:  # else chosen meanwhile: nothing to invite to
            send_mail(
                user.email,
                welcome.subject(cohort, inviter),
                welcome.body(cohort, inviter, user),
                kind="invitation premier mot de passe",
            )
        return
    send_mail(
        user.email,
        f"Café IA Formation : invitation à rejoindre la cohorte « {cohort.name} »",
        invitation_body(cohort, inviter, user),
        kind="invitation cohorte",
    )


def _inviter(notice: CohortNotice, cohort) -> User | None:
    """Who invites: the formateur who imported, else (account gone, older notices) the
    cohort's first formateur."""
    if notice.invited_by_id:
        inviter = db.session.get(User, notice.invited_by_id)
        if inviter:
            return inviter
    return next(iter(services.trainers(cohort)), None)


def send_pending(cohort_id: int | None = None, limit: int | None = None) -> tuple[int, bool]:
    """Send the queued e-mails (of one cohort, or all), oldest first, `limit` at most.

    Stops at the first one the mail server refuses: it and the rest stay queued. Returns the
    number sent and whether the mail server interrupted the pass."""
    sent = 0
    with one_session():  # one SMTP connection for the whole pass
        while limit is None or sent < limit:
            batch = _claim(
                cohort_id, CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - sent)
            )
            if not batch:
                break
            for position, notice_id in enumerate(batch):
                notice = db.session.get(CohortNotice, notice_id)
                try:
                    _send(notice)
                except MailUnavailable as error:
                    db.session.rollback()
                    _release(batch[position:])
                    log.warning("e-mails d'import interrompus (%s)", type(error).__name__)
                    return sent, True
                notice.sent_at = utcnow()
                db.session.commit()
                sent += 1
    if sent:
        log.info("e-mails d'import : %d envoyé(s)", sent)
    return sent, False


def send_in_background(cohort_id: int) -> None:
    """The rest of a large import's e-mails, after the response, in this process."""
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                send_pending(cohort_id)
            except Exception:  # a thread's error reaches no one: the log keeps it
                log.exception("cohorte %s : envoi des e-mails d'import interrompu", cohort_id)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name=f"emails-cohorte-{cohort_id}", daemon=True)
    # Kept so that a test (or a shutdown) can wait for them. Requests at once each add theirs,
    # dropping the finished ones: started under the lock, a thread is never taken for finished
    # before it began, and no request writes back the list without another's thread.
    with _THREADS_LOCK:
        thread.start()
        threads = app.extensions.setdefault("cohort_notice_threads", [])
        threads[:] = [t for t in threads if t.is_alive()] + [thread]


def progress(cohort_id: int) -> tuple[int, int] | None:
    """(sent, total) of the e-mails of the imports still being sent; None when none is."""
    oldest = db.session.scalar(
        select(func.min(CohortNotice.created_at)).where(
            CohortNotice.cohort_id == cohort_id, CohortNotice.sent_at.is_(None)
        )
    )
    if oldest is None:
        return None
    total, sent = db.session.execute(
        select(func.count(), func.count(CohortNotice.sent_at)).where(
            CohortNotice.cohort_id == cohort_id, CohortNotice.created_at >= oldest
        )
    ).one()
    return sent, total


@bp.cli.command("envoyer-emails")
def send_all_command() -> None:
    """Send every e-mail that imports still owe (after a restart or a mail server outage)."""
    sent, interrupted = send_pending()
    click.echo(
        f"{sent} e-mail(s) envoyé(s)" + (" ; serveur d'e-mails indisponible" if interrupted else "")
    )
