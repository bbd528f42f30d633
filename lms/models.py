"""Accounts and roles: the people the platform knows."""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache

from flask import current_app, has_request_context, request
from flask_login import UserMixin
from sqlalchemy import DateTime, String, bindparam, inspect, select
from sqlalchemy.orm import Mapped, make_transient_to_detached, mapped_column
from sqlalchemy.orm.util import identity_key
from werkzeug.security import check_password_hash, generate_password_hash

from . import hooks
from .converters import DATABASE_INT_MAX
from .departements import departement
from .extensions import db, login_manager


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite gives timestamps back without their zone: they were stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def timestamp(**kwargs):
    """A UTC timestamp column that says so, on SQLite and PostgreSQL alike."""
    return mapped_column(DateTime(timezone=True), **kwargs)


class Role(StrEnum):
    APPRENANT = "apprenant"
    FORMATEUR = "formateur"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.APPRENANT: "Apprenant·e",
    Role.FORMATEUR: "Formateur·rice",
    Role.ADMIN: "Administrateur·rice national·e",
}

PROFILES = {
    "conseiller": "Conseiller·ère numérique",
    "mediateur": "Médiateur·rice numérique",
    "autre": "Autre",
}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # None until the person chooses one (an account made by a cohort import): no login till then.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    profile: Mapped[str] = mapped_column(String(20))
    structure: Mapped[str] = mapped_column(String(200))
    commune: Mapped[str] = mapped_column(String(100))
    departement_code: Mapped[str] = mapped_column(String(3))
    role: Mapped[str] = mapped_column(String(20), default=Role.APPRENANT)
    # Opaque, stable pseudonym: what xAPI statements name instead of the e-mail address.
    pseudonym: Mapped[str] = mapped_column(
        String(32), unique=True, default=lambda: uuid.uuid4().hex
    )
    # xAPI registration: one UUID per person and training, in every statement's context. The
    # read API finds a registration's statements through this index and theirs by person.
    registration: Mapped[str] = mapped_column(
        String(36), index=True, default=lambda: str(uuid.uuid4())
    )
    created_at: Mapped[datetime] = timestamp(default=utcnow)

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def region(self) -> str:
        dep = departement(self.departement_code)
        return dep.region if dep else ""

    def personal_data(self) -> dict:
        return {
            "email": self.email,
            "prenom": self.first_name,
            "nom": self.last_name,
            "profil": PROFILES.get(self.profile, self.profile),
            "structure": self.structure,
            "commune": self.commune,
            "departement": self.departement_code,
            "region": self.region,
            "role": self.role,
            "inscrit_le": self.created_at.isoformat(),
        }


def user_facts(user) -> dict | None:
    """The facts (hooks.USER_FACT) the user load read for this person at the start of this request (name →
    value), or None if it did not (another person, outside a request): ask the database."""
    loaded = request.environ.get(USER_FACTS) if has_request_context() else None
    return loaded[1] if loaded and loaded[0] == user.id else None


USER_FACTS = "cafeia.user_facts"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The person of every signed-in request, with the facts features read with it
    (hooks.USER_FACT), in one query on the session's connection: the ORM's row handling cost
    this query, the one every page makes, more than running it. The User given back is the one
    a query would give: in the session, its columns loaded, nothing to flush."""
    # The session is signed, but an id the database cannot hold must be nobody, not a 500.
    if not (user_id.isascii() and user_id.isdigit()) or int(user_id) > DATABASE_INT_MAX:
        return None
    names, query = _user_with_facts()
    row = db.session.connection().execute(query, {"id": int(user_id)}).first()
    if row is None:
        return None
    values = row._asdict()
    facts = {name: values.pop(name) for name in names}
    user = _in_session(values)
    request.environ[USER_FACTS] = (user.id, facts)
    return user


def _user_with_facts() -> tuple[tuple[str, ...], object]:
    """The facts' names and the query, built once per set of facts (they are connected once)."""
    facts = tuple(
        (facts["name"], expression) for expression, facts in hooks.entries(hooks.USER_FACT)
    )
    return _user_query(facts)


@cache
def _user_query(facts: tuple):
    columns = [expression(User.id).label(name) for name, expression in facts]
    query = select(*User.__table__.columns, *columns).where(User.id == bindparam("id"))
    return tuple(name for name, _ in facts), query


def _in_session(values: dict) -> User:
    """The User of these column values, as the session's own: the instance it already holds
    (a query would not overwrite it either), or a new one, loaded, without history."""
    held = db.session.identity_map.get(identity_key(User, values["id"]))
    if held is not None:
        return held
    user = inspect(User).class_manager.new_instance()
    user.__dict__.update(values)  # the instance's loaded state: no change to flush
    make_transient_to_detached(user)  # its identity, as if read from the database
    db.session.add(user)
    return user
