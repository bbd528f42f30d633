"""Writes on accounts: each function changes the state and commits, or raises and changes nothing."""

import logging
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from .. import hooks
from ..concurrency import retry_on_conflict
from ..extensions import db
from ..mail import send_mail
from ..models import Role, User, utcnow
from ..urls import absolute_url
from ..xapi import record, training
from ..xapi.models import StoredStatement

log = logging.getLogger(__name__)


class EmailTaken(Exception):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(*, email: str, password: str, role: str = "apprenant", **profile) -> User:
    """Create an account; the e-mail address is unique, whatever its case."""
    user = add_user(email=email, password=password, role=role, **profile)
    db.session.commit()
    return user


def sign_up(*, email: str, password: str, **profile) -> User:
    """The sign-up form: a new apprenant account, or the one this same form made a moment ago.

    A double click or a retried request sends the form twice: the second gets the account the
    first created, so both end logged in. Only with its password, within a couple of minutes,
    while it has done nothing else (see _made_by_this_form); any other account taken raises
    EmailTaken. Two at once: the unique address refuses one insert, which runs again and finds
    the other's account.
    """
    try:
        return retry_on_conflict(lambda: create_user(email=email, password=password, **profile))
    except EmailTaken:
        user = find_by_email(email)
        if not user or not _made_by_this_form(user, password):
            raise
    log.info("inscription envoyée deux fois : utilisateur %s", user.id)
    return user


SIGNUP_REPEAT_SECONDS = 120  # how long after a sign-up the same form still means the same account


def _made_by_this_form(user: User, password: str) -> bool:
    """Created moments ago with this password, still an apprenant, nothing recorded but its
    registration: what the first of two identical submissions leaves behind."""
    since = utcnow() - timedelta(seconds=SIGNUP_REPEAT_SECONDS)
    recent = db.session.scalar(select(User.id).where(User.id == user.id, User.created_at >= since))
    recorded = db.session.scalar(select(func.count()).where(StoredStatement.user_id == user.id))
    return (
        recent is not None
        and user.role == Role.APPRENANT
        and recorded <= 1
        and user.check_password(password)
    )


def add_user(*, email: str, password: str, role: str = "apprenant", **profile) -> User:
    """Add an account to the caller's transaction (an import commits many at once)."""
    if find_by_email(email):
        raise EmailTaken(email)
    user = User(email=normalise_email(email), role=role, **profile)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()  # the statement needs the new id
    if role == Role.APPRENANT:
        record(user, "registered", training())
    log.info("compte créé : utilisateur %s (%s)", user.id, role)
    return user


def add_invited_users(profiles: list[dict], *, cohort: str | None = None) -> list[User]:
    """Accounts without a password, many at once in the caller's transaction (an import of
    2,000 lines): one insert for all, then their statements, which name `cohort` (an IRI) when
    given instead of looking it up person by person. The caller found the addresses free; one
    taken meanwhile makes the unique constraint refuse the whole transaction."""
    users = [
        User(**{**profile, "email": normalise_email(profile["email"])}) for profile in profiles
    ]
    db.session.add_all(users)
    db.session.flush()  # one multi-row insert; the statements need the new ids
    with db.session.no_autoflush:  # else each statement's cohort lookup flushes the previous one
        for user in users:
            record(user, "registered", training(), cohort=cohort)
    log.info("%d compte(s) créé(s) sans mot de passe", len(users))
    return users


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    return user if user and user.check_password(password) else None


def update_profile(user: User, **profile) -> None:
    for name, value in profile.items():
        setattr(user, name, value)
    db.session.commit()


def change_password(user: User, password: str) -> None:
    user.set_password(password)
    db.session.commit()
    log.info("mot de passe changé : utilisateur %s", user.id)


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="reinitialisation")


def send_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; say nothing either way (no account discovery)."""
    user = find_by_email(email)
    if not user:
        return
    # The token carries the current hash: once the password changes, it is spent.
    token = _reset_serializer().dumps({"id": user.id, "hash": _hash_tail(user)})
    link = absolute_url("accounts.reset_password", token=token)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    send_mail(
        user.email,
        "Café IA Formation : réinitialiser votre mot de passe",
        f"Bonjour {user.first_name},\n\nPour choisir un nouveau mot de passe, ouvrez ce lien "
        f"(valable {minutes} minutes, une seule fois) :\n{link}\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n",
    )
    log.info("lien de réinitialisation envoyé : utilisateur %s", user.id)


def user_for_reset_token(token: str) -> User | None:
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except BadSignature:  # also covers an expired token
        return None
    user = db.session.get(User, data.get("id"))
    return user if user and _hash_tail(user) == data.get("hash") else None


def _hash_tail(user: User) -> str:
    """What a reset token carries of the password hash ("" while none was chosen)."""
    return (user.password_hash or "")[-16:]


def export_personal_data(user: User) -> dict:
    return {"compte": user.personal_data(), **hooks.personal_data(user)}


def delete_account(user: User) -> None:
    """RGPD erasure: the account and everything attached to it go.

    Features first keep, in the same transaction, what needs no identifier (hooks.ACCOUNT_ERASING:
    the statistics' anonymous facts), so past figures stay as published. If one of them fails,
    nothing is erased."""
    user_id = user.id
    try:
        hooks.send(hooks.ACCOUNT_ERASING, user=user)
        db.session.delete(user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info("compte supprimé : utilisateur %s", user_id)
