"""Cohorts: creating, joining, access, and the writes a formateur makes."""

import logging
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import Integer, delete, insert, literal, select
from sqlalchemy import update as sa_update

from lms.concurrency import claim, locked, new_submission, retry_on_conflict
from lms.extensions import db
from lms.mail import MailUnavailable, one_session, send_mail, send_notice
from lms.models import Role, User, user_facts, utcnow
from lms.urls import absolute_url

from .models import Cohort, CohortMember, CohortNotice, CohortTrainer, Reminder

log = logging.getLogger(__name__)
REMINDER_INTERVAL = timedelta(days=7)  # a learner gets at most one reminder a week


def create(trainer, **fields) -> Cohort:
    """A new cohort run by `trainer`, with its invitation code (the demo, benches, tests)."""
    cohort, _ = create_once(trainer, new_submission(), **fields)
    return cohort


def create_once(trainer, submission: str, **fields) -> tuple[Cohort, bool]:
    """The cohort of one form page: created now (True), or by an earlier send of it (False).

    The page carries a one-time token (`envoi`), kept on the cohort it creates under a unique
    constraint. Sent twice (a double click, a retried request, the back button), the page makes
    one cohort: the second request finds the first one's; if both looked before either wrote,
    the database refuses one insert and `retry_on_conflict` runs it again, and then it finds
    it. The token names the page, not what it says: that page sent again with other fields
    still lands on its cohort, to be edited there; a new page makes a new cohort.
    """
    return retry_on_conflict(lambda: _create_once(trainer, submission, fields))


def _create_once(trainer, submission: str, fields: dict) -> tuple[Cohort, bool]:
    earlier = _created_from(submission)
    if earlier and trainer in trainers(earlier):
        return earlier, False
    if earlier:  # another person's page token (copied, never guessed) is no key to their cohort
        submission = new_submission()
    cohort = Cohort(
        invite_code=new_invite_code(),
        creation_token=submission,
        **fields,
    )
    db.session.add(cohort)
    db.session.flush()
    db.session.add(CohortTrainer(cohort_id=cohort.id, user_id=trainer.id))
    db.session.commit()
    log.info("cohorte %s créée par l'utilisateur %s", cohort.id, trainer.id)
    return cohort, True


def _created_from(submission: str) -> Cohort | None:
    return db.session.scalar(select(Cohort).where(Cohort.creation_token == submission))


def update(cohort: Cohort, **fields) -> None:
    for name, value in fields.items():
        setattr(cohort, name, value)
    db.session.commit()


def visible_to(user, archived: bool = False):
    """The cohorts a person may manage: all for an admin, their own for a formateur; the
    active ones, or (archived=True) the archived ones."""
    state = Cohort.archived_at.is_not(None) if archived else Cohort.archived_at.is_(None)
    statement = select(Cohort).where(state).order_by(Cohort.created_at.desc())
    if user.role != Role.ADMIN:
        statement = statement.join(CohortTrainer).where(CohortTrainer.user_id == user.id)
    return db.session.scalars(statement).all()


def can_manage(user, cohort: Cohort) -> bool:
    return user.role == Role.ADMIN or bool(
        db.session.scalar(
            select(CohortTrainer.id).where(
                CohortTrainer.cohort_id == cohort.id, CohortTrainer.user_id == user.id
            )
        )
    )


def trainers(cohort: Cohort) -> list[User]:
    return db.session.scalars(
        select(User)
        .join(CohortTrainer, CohortTrainer.user_id == User.id)
        .where(CohortTrainer.cohort_id == cohort.id)
    ).all()


def trainers_of(learner) -> list[tuple[Cohort, list[User]]]:
    """The cohorts a learner belongs to, each with its formateurs: who they can turn to."""
    rows = db.session.execute(
        select(Cohort, User)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
        .join(User, User.id == CohortTrainer.user_id)
        .where(CohortMember.user_id == learner.id)
        .order_by(CohortMember.joined_at.desc(), User.last_name, User.first_name)
    ).all()
    grouped: dict[Cohort, list[User]] = {}
    for cohort, trainer in rows:
        grouped.setdefault(cohort, []).append(trainer)
    return list(grouped.items())


def add_trainer(cohort: Cohort, user: User) -> None:
    if user.role not in (Role.FORMATEUR, Role.ADMIN):
        raise ValueError("Seul un compte formateur ou administrateur peut co-animer une cohorte.")
    retry_on_conflict(lambda: _add_trainer(cohort, user))  # twice at once: one row, no error


def _add_trainer(cohort: Cohort, user: User) -> None:
    if user not in trainers(cohort):
        db.session.add(CohortTrainer(cohort_id=cohort.id, user_id=user.id))
        db.session.commit()


class NotATrainer(ValueError):
    """The person does not run this cohort (a forged id, or removed already)."""


def remove_trainer(cohort: Cohort, user_id: int) -> User:
    """A co-formateur leaves the cohort; its last formateur stays, or nobody could manage it."""
    db.session.execute(locked(select(Cohort.id).where(Cohort.id == cohort.id)))
    row = db.session.scalar(
        select(CohortTrainer).where(
            CohortTrainer.cohort_id == cohort.id, CohortTrainer.user_id == user_id
        )
    )
    if not row:
        raise NotATrainer("Cette personne n'anime pas la cohorte.")
    if len(trainers(cohort)) == 1:
        raise ValueError(
            "La cohorte doit garder au moins un formateur ou une formatrice : ajoutez-en un "
            "autre avant de retirer celui-ci, ou archivez la cohorte."
        )
    db.session.delete(row)
    db.session.commit()
    log.info("cohorte %s : formateur %s retiré", cohort.id, user_id)
    return db.session.get(User, user_id)


# --- the invitation link, archiving --------------------------------------------------------------


def new_invite_code() -> str:
    return secrets.token_urlsafe(16)  # 128 random bits


def regenerate_link(cohort: Cohort, replaced: str) -> bool:
    """A new link (the old one stops working), open again. `replaced` is the code the page
    showed: the same page sent twice (a double click) finds it replaced already and leaves the
    new link alone (False), instead of replacing the link the formateur may have copied."""
    won = claim(
        sa_update(Cohort)
        .where(Cohort.id == cohort.id, Cohort.invite_code == replaced)
        .values(invite_code=new_invite_code(), invite_closed_at=None)
    )
    db.session.commit()
    db.session.refresh(cohort)
    if won:
        log.info("cohorte %s : nouveau lien d'invitation", cohort.id)
    return won


def close_link(cohort: Cohort) -> None:
    if cohort.invite_closed_at is None:
        cohort.invite_closed_at = utcnow()
        db.session.commit()
        log.info("cohorte %s : lien d'invitation fermé", cohort.id)


def archive(cohort: Cohort) -> None:
    if cohort.archived_at is None:
        cohort.archived_at = utcnow()
        db.session.commit()
        log.info("cohorte %s archivée", cohort.id)


def unarchive(cohort: Cohort) -> None:
    if cohort.archived_at is not None:
        cohort.archived_at = None
        db.session.commit()
        log.info("cohorte %s restaurée", cohort.id)


def by_invite(code: str) -> Cohort | None:
    if not code or len(code) > 64:
        return None
    return db.session.scalar(select(Cohort).where(Cohort.invite_code == code))


def is_member(cohort: Cohort, user) -> bool:
    return bool(
        db.session.scalar(
            select(CohortMember.id).where(
                CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id
            )
        )
    )


def join(cohort: Cohort, user, source: str = "lien") -> bool:
    """Enrol a person (once): False if they already were.

    A double click on « Rejoindre » sends two requests at once: the unique membership refuses
    the second insert, which runs again and answers False, as a later click would.
    """
    return retry_on_conflict(lambda: _join(cohort, user, source))


def _join(cohort: Cohort, user, source: str) -> bool:
    if is_member(cohort, user):
        return False
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id, source=source))
    db.session.commit()
    return True


def remove_member(cohort: Cohort, person: User, by) -> bool:
    """A formateur takes a learner out of the cohort; False if they were not in it (a double
    click, a colleague first). Only the membership goes: the person's progress, results and
    status are theirs and stay; the e-mails an import still owed them are not sent. They are
    told by e-mail."""
    removed = db.session.execute(
        delete(CohortMember).where(
            CohortMember.cohort_id == cohort.id, CohortMember.user_id == person.id
        )
    ).rowcount
    if not removed:
        db.session.rollback()
        return False
    db.session.execute(
        delete(CohortNotice).where(
            CohortNotice.cohort_id == cohort.id,
            CohortNotice.user_id == person.id,
            CohortNotice.sent_at.is_(None),
        )
    )
    db.session.commit()
    log.info("cohorte %s : utilisateur %s retiré par %s", cohort.id, person.id, by.id)
    send_notice(
        person.email,
        f"Café IA Formation : vous ne faites plus partie de la cohorte « {cohort.name} »",
        removal_body(cohort, person, by),
        kind="retrait cohorte",
    )
    return True


def removal_body(cohort: Cohort, person: User, by) -> str:
    return (
        f"Bonjour {person.first_name},\n\n{by.full_name} vous a retiré·e de la cohorte "
        f"« {cohort.name} » sur Café IA Formation : ses formateurs ne voient plus votre "
        "parcours et ne vous relanceront plus.\n\nVotre compte, votre progression, vos "
        "résultats aux quiz et votre statut restent les vôtres : vous pouvez continuer la "
        f"formation quand vous le souhaitez :\n{absolute_url('courses.resume')}\n\n"
        "Si vous pensez qu'il s'agit d'une erreur, répondez à votre formateur ou formatrice.\n"
    )


def member(cohort: Cohort, user_id: int) -> User | None:
    return db.session.scalar(
        select(User)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort.id, User.id == user_id)
    )


def cohort_of(user) -> str | None:
    """The cohort a learner joined last, as an IRI of the platform: it goes in their xAPI
    context, so an LRS can group statements by cohort without knowing our database."""
    facts = user_facts(user)  # the signed-in person's: read with their user load
    if facts is not None:
        cohort_id = facts["cohort"]
    else:
        cohort_id = db.session.scalar(select(last_cohort_id(user.id)))
    return cohort_iri(cohort_id) if cohort_id else None


def last_cohort_id(user_id):
    """SQL: the cohort the person with this id (a value or a column) joined last, or NULL."""
    return (
        select(CohortMember.cohort_id)
        .where(CohortMember.user_id == user_id)
        .order_by(CohortMember.joined_at.desc(), CohortMember.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def cohort_iri(cohort_id: int) -> str:
    return f"{current_app.config['BASE_URL']}/formation/cohortes/{cohort_id}"


class RemindersInterrupted(Exception):
    """The mail server failed midway: the reminders sent before it are kept in the log."""


def remind(cohort: Cohort, sender, people: list[User]) -> int:
    """E-mail a French reminder to each person not reminded this week; every send is logged.

    Each reminder is claimed before its e-mail leaves: its log row is committed first, and only
    one of two requests can write it (see _claim_reminders), so a double click, or two
    formateurs at once, send each e-mail once. A mail server failing midway releases the claims
    not yet sent: the reminders already sent keep their trace, and a retry sends only the
    others. (A process killed between the claim and the send loses that e-mail, never sends it
    twice.)
    """
    claimed = _claim_reminders(cohort, sender, people)
    sent = 0
    with one_session():
        for person in (p for p in people if p.id in claimed):
            try:
                send_mail(person.email, REMINDER_SUBJECT, reminder_body(cohort, person))
            except MailUnavailable as error:
                _release(list(claimed.values())[sent:])
                log.warning("cohorte %s : relances interrompues (%s)", cohort.id, error)
                raise RemindersInterrupted(
                    f"Le serveur d'e-mails a refusé un envoi : {sent} relance(s) envoyée(s) avant "
                    "l'interruption. Réessayez plus tard : les personnes déjà relancées ne le "
                    "seront pas une deuxième fois."
                ) from None
            sent += 1
    log.info(
        "cohorte %s : %d relance(s) envoyée(s) par l'utilisateur %s", cohort.id, sent, sender.id
    )
    return sent


def _claim_reminders(cohort: Cohort, sender, people: list[User]) -> dict[int, int]:
    """Log this week's reminder of each person not reminded yet, and commit; {user id: row id}.

    One INSERT … SELECT … WHERE NOT EXISTS writes them all. On PostgreSQL the cohort's row is
    locked first, so a second request waits for this commit and then sees the rows; on SQLite
    its INSERT waits for the single writer and evaluates NOT EXISTS after it.
    """
    db.session.execute(locked(select(Cohort.id).where(Cohort.id == cohort.id)))
    already = select(Reminder.id).where(
        Reminder.cohort_id == cohort.id,
        Reminder.user_id == User.id,
        Reminder.sent_at >= utcnow() - REMINDER_INTERVAL,
    )
    rows = select(
        literal(cohort.id, Integer),
        User.id,
        literal(sender.id, Integer),
        literal(utcnow(), Reminder.sent_at.type),
    ).where(User.id.in_([person.id for person in people]), ~already.exists())
    columns = ["cohort_id", "user_id", "sent_by_id", "sent_at"]
    claimed = db.session.execute(
        insert(Reminder).from_select(columns, rows).returning(Reminder.user_id, Reminder.id)
    )
    by_person = dict(claimed.all())
    db.session.commit()
    # In the order people are reminded, so that a failure releases exactly the rest.
    return {person.id: by_person[person.id] for person in people if person.id in by_person}


def _release(reminder_ids: list[int]) -> None:
    """The claims whose e-mail did not leave: the next click sends them."""
    db.session.rollback()
    db.session.execute(delete(Reminder).where(Reminder.id.in_(reminder_ids)))
    db.session.commit()


REMINDER_SUBJECT = "Café IA Formation : votre parcours vous attend"


def reminder_body(cohort: Cohort, person: User) -> str:
    link = absolute_url("courses.resume")
    return (
        f"Bonjour {person.first_name},\n\nVotre formateur ou formatrice de la cohorte "
        f"« {cohort.name} » vous propose de reprendre votre parcours d'animateur·rice "
        f"Café IA là où vous l'aviez laissé :\n{link}\n\nÀ bientôt !\n"
    )


def ask_trainers_to_validate(user) -> None:
    """Under required validation, the person's formateurs learn that they are awaited."""
    for cohort, cohort_trainers in trainers_of(user):
        link = absolute_url("cohorts.show", cohort_id=cohort.id, filtre="a-valider")
        for trainer in cohort_trainers:
            send_notice(
                trainer.email,
                "Café IA Formation : un parcours attend votre validation",
                f"Bonjour {trainer.first_name},\n\n{user.first_name} {user.last_name}, de la "
                f"cohorte « {cohort.name} », a rempli toutes les conditions du statut "
                "d'animateur·rice Café IA : il ne manque que votre validation.\n\n"
                f"Les parcours à valider : {link}\n",
                kind="validation attendue",
            )
    log.info("validation demandée aux formateurs : utilisateur %s", user.id)
