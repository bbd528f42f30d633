"""Importing learners from a CSV file: checked line by line, previewed, committed all-or-nothing.

A new address becomes an account enrolled in the cohort, without a password: its owner gets a
link to choose one. An existing address (whatever its role) is never enrolled by the import: it
is invited, and joins only if its owner accepts. Importing the same file twice changes nothing:
accounts are found by e-mail, enrolments and invitations are unique per cohort and person.

Every step reads the accounts, enrolments and invitations of the whole file in a few queries,
so 2,000 lines preview and commit in a couple of seconds.
"""

import csv
import hashlib
import io
import logging
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from lms.accounts.services import add_invited_users, normalise_email
from lms.departements import departement
from lms.exports import csv_response
from lms.extensions import db
from lms.formatting import nombre
from lms.forms import FORBIDDEN_CHARACTERS
from lms.models import User

from . import notices
from .models import CohortImport, CohortInvitation, CohortMember
from .services import cohort_iri

log = logging.getLogger(__name__)
COLUMNS = ["email", "prenom", "nom", "structure", "departement"]
MAX_LINES = 2000
MAX_BYTES = 512 * 1024
LIMITS = {"prenom": 100, "nom": 100, "structure": 200}


def template():
    """The file to fill in: the columns in their order, no line (an example line left in it
    would be imported as a person)."""
    return csv_response(COLUMNS, [], "modele-import-apprenants.csv")


class ImportRefused(ValueError):
    """The whole file is refused (encoding, size, columns): the message says what to do."""


@dataclass
class Line:
    number: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    note: str = ""  # what committing will do: « nouveau compte », « déjà inscrit·e »…


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportRefused(
            f"Le fichier dépasse {nombre(MAX_BYTES // 1024)} Ko : découpez-le en plusieurs fichiers."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            "Le fichier n'est pas encodé en UTF-8 : dans votre tableur, enregistrez-le "
            "au format « CSV UTF-8 », puis recommencez."
        ) from None


def _reader(text: str) -> csv.DictReader:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    found = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if found != COLUMNS:
        raise ImportRefused(
            f"Les colonnes attendues sont, dans cet ordre : {', '.join(COLUMNS)}. "
            f"Le fichier contient : {', '.join(found) or 'aucune colonne'}."
        )
    reader.fieldnames = COLUMNS
    return reader


def _check(line: Line, seen: set[str]) -> None:
    values = line.values
    for name, value in values.items():
        if FORBIDDEN_CHARACTERS.intersection(value):
            line.errors.append(f"{name} : caractères invisibles ou illisibles")
    try:
        values["email"] = normalise_email(
            validate_email(values["email"], check_deliverability=False).normalized
        )
    except EmailNotValidError:
        line.errors.append("adresse électronique invalide")
    if values["email"] in seen:
        line.errors.append("adresse déjà présente plus haut dans le fichier")
    seen.add(values["email"])
    for name, limit in LIMITS.items():
        if not values[name] and name != "structure":
            line.errors.append(f"{name} manquant")
        if len(values[name]) > limit:
            line.errors.append(f"{name} : {limit} caractères au plus")
    code = (
        values["departement"].upper().zfill(2)
        if values["departement"].isdigit()
        else values["departement"].upper()
    )
    if not departement(code):
        line.errors.append(f"département inconnu : « {values['departement']} »")
    values["departement"] = code


def parse(data: bytes, cohort) -> list[Line]:
    """Every line of the file, with its errors or what committing it will do."""
    rows = list(_reader(decode(data)))
    if len(rows) > MAX_LINES:  # refused before checking any line: that costs queries
        raise ImportRefused(
            f"Le fichier dépasse {nombre(MAX_LINES)} lignes ({nombre(len(rows))} lignes) : "
            "découpez-le."
        )
    lines, seen = [], set()
    for number, row in enumerate(rows, start=2):
        if None in row or any(value is None for value in row.values()):
            lines.append(Line(number, {c: "" for c in COLUMNS}, ["nombre de colonnes incorrect"]))
            continue
        line = Line(number, {name: (row[name] or "").strip() for name in COLUMNS})
        _check(line, seen)
        lines.append(line)
    if not lines:
        raise ImportRefused("Le fichier ne contient aucune ligne après l'en-tête.")
    known = Known.load(cohort, [line.values["email"] for line in lines if not line.errors])
    for line in lines:
        if not line.errors:
            line.note = known.note(line.values["email"])
    return lines


NOTES = {
    "new": "nouveau compte : inscrit·e, avec un lien pour choisir son mot de passe",
    "member": "déjà inscrit·e dans la cohorte",
    "invite": "compte existant : invitation à accepter",
    CohortInvitation.PENDING: "compte existant : invitation déjà envoyée, en attente de réponse",
    CohortInvitation.DECLINED: "compte existant : invitation refusée ou cohorte quittée, "
    "rien ne change",
    CohortInvitation.ACCEPTED: "compte existant : a quitté la cohorte, rien ne change",
}


@dataclass
class Known:
    """What the database already holds about the file's addresses, read in a few queries."""

    users: dict[str, User]  # e-mail -> account
    members: set[int]  # ids of the accounts enrolled in the cohort
    invitations: dict[int, str]  # account id -> state of its invitation to the cohort

    CHUNK = 500  # addresses per query: well within every database's limit on parameters

    @classmethod
    def load(cls, cohort, emails: list[str]) -> "Known":
        users = {}
        for start in range(0, len(emails), cls.CHUNK):
            chunk = emails[start : start + cls.CHUNK]
            users.update(
                (user.email, user)
                for user in db.session.scalars(select(User).where(User.email.in_(chunk)))
            )
        members = set(
            db.session.scalars(
                select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
            )
        )
        invitations = dict(
            db.session.execute(
                select(CohortInvitation.user_id, CohortInvitation.state).where(
                    CohortInvitation.cohort_id == cohort.id
                )
            ).all()
        )
        return cls(users, members, invitations)

    def outcome(self, email: str) -> str:
        """What committing does with this address: a key of NOTES."""
        user = self.users.get(email)
        if not user:
            return "new"
        if user.id in self.members:
            return "member"
        return self.invitations.get(user.id, "invite")

    def note(self, email: str) -> str:
        return NOTES[self.outcome(email)]


# The preview carries the checked lines to the confirmation, signed so nobody can alter them.
def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="import-cohorte")


def sign(cohort, lines: list[Line]) -> str:
    return _serializer().dumps({"cohort": cohort.id, "rows": [line.values for line in lines]})


def unsign(token: str, cohort) -> list[dict]:
    try:
        data = _serializer().loads(token, max_age=3600)
    except BadSignature:
        raise ImportRefused(
            "L'aperçu a expiré ou a été modifié : importez le fichier à nouveau."
        ) from None
    if data["cohort"] != cohort.id:
        raise ImportRefused(
            "Cet aperçu concerne une autre cohorte : importez le fichier à nouveau."
        )
    return data["rows"]


@dataclass(frozen=True)
class Imported:
    created: int  # accounts created and enrolled
    invited: int  # existing accounts invited
    again: bool = False  # this preview had been imported already: nothing was done now


def commit(cohort, preview: str, rows: list[dict], inviter) -> Imported:
    """All lines or none: accounts, enrolments and invitations in one transaction.

    A failure on any line (an account created meanwhile with the same address, the database
    refusing a row) rolls everything back and says so; nothing is half imported. The e-mails
    owed are queued in the same transaction (see notices).

    A preview (its signed token) is imported once. The transaction records it (CohortImport,
    unique per cohort and digest), so the preview confirmed again (a double click, a second
    tab) finds that record and returns what the first confirmation did. Confirmed twice at
    once, the second transaction conflicts with the first (the same addresses, the same
    digest) and is rolled back: it then finds the first one's record instead of refusing.
    """
    digest = hashlib.sha256(preview.encode()).hexdigest()
    earlier = _imported(cohort, digest)
    if earlier:
        return earlier
    try:
        result = _add_all(cohort, rows, inviter)
        db.session.add(
            CohortImport(
                cohort_id=cohort.id,
                preview_digest=digest,
                created=len(result["crees"]),
                invited=len(result["invites"]),
                imported_by_id=inviter.id,
            )
        )
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        earlier = _imported(cohort, digest)  # a twin confirmation's, committed meanwhile
        if earlier:
            return earlier
        log.exception("cohorte %s : import annulé", cohort.id)
        raise ImportRefused(
            "L'import n'a pas pu être enregistré : aucune personne n'a été inscrite ni aucun "
            "compte créé. Importez le fichier à nouveau."
        ) from None
    log.info(
        "cohorte %s : %d compte(s) créé(s) et inscrit(s), %d invitation(s)",
        cohort.id,
        len(result["crees"]),
        len(result["invites"]),
    )
    return Imported(len(result["crees"]), len(result["invites"]))


def _imported(cohort, digest: str) -> Imported | None:
    row = db.session.scalar(
        select(CohortImport).where(
            CohortImport.cohort_id == cohort.id, CohortImport.preview_digest == digest
        )
    )
    return Imported(row.created, row.invited, again=True) if row else None


def _add_all(cohort, rows: list[dict], inviter) -> dict:
    known = Known.load(cohort, [values["email"] for values in rows])
    new = [values for values in rows if known.outcome(values["email"]) == "new"]
    invited = [
        known.users[values["email"]].id
        for values in rows
        if known.outcome(values["email"]) == "invite"
    ]
    accounts = add_invited_users([_profile(v) for v in new], cohort=cohort_iri(cohort.id))
    created = [user.id for user in accounts]
    db.session.add_all(
        [CohortMember(cohort_id=cohort.id, user_id=uid, source="import") for uid in created]
        + [
            CohortInvitation(cohort_id=cohort.id, user_id=uid, invited_by_id=inviter.id)
            for uid in invited
        ]
    )
    notices.queue(cohort, inviter, created, invited)
    db.session.flush()
    return {"crees": created, "invites": invited}


def _profile(values: dict) -> dict:
    return {
        "email": values["email"],
        "first_name": values["prenom"],
        "last_name": values["nom"],
        "profile": "autre",
        "structure": values["structure"],
        "commune": "",
        "departement_code": values["departement"],
    }
