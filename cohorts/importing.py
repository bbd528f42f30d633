"""Importing learners from a CSV file: checked line by line, previewed, committed all-or-nothing.

Importing the same file twice changes nothing: accounts are found by e-mail, enrolments are unique.
"""

import csv
import io
import logging
import secrets
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import SQLAlchemyError

from lms.accounts.services import EmailTaken, add_user, find_by_email, normalise_email
from lms.departements import departement
from lms.extensions import db
from lms.forms import FORBIDDEN_CHARACTERS

from .models import CohortMember
from .services import is_member

log = logging.getLogger(__name__)
COLUMNS = ["email", "prenom", "nom", "structure", "departement"]
MAX_LINES = 2000
MAX_BYTES = 512 * 1024
LIMITS = {"prenom": 100, "nom": 100, "structure": 200}


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
            f"Le fichier dépasse {MAX_BYTES // 1024} Ko : découpez-le en plusieurs fichiers."
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
            f"Le fichier dépasse {MAX_LINES} lignes ({len(rows)} lignes) : découpez-le."
        )
    lines, seen = [], set()
    for number, row in enumerate(rows, start=2):
        if None in row or any(value is None for value in row.values()):
            lines.append(Line(number, {c: "" for c in COLUMNS}, ["nombre de colonnes incorrect"]))
            continue
        line = Line(number, {name: (row[name] or "").strip() for name in COLUMNS})
        _check(line, seen)
        if not line.errors:
            line.note = _note(cohort, line.values["email"])
        lines.append(line)
    if not lines:
        raise ImportRefused("Le fichier ne contient aucune ligne après l'en-tête.")
    return lines


def _note(cohort, email: str) -> str:
    user = find_by_email(email)
    if not user:
        return "nouveau compte, invitation envoyée"
    return (
        "déjà inscrit·e dans la cohorte"
        if is_member(cohort, user)
        else "compte existant, ajouté à la cohorte"
    )


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


def commit(cohort, rows: list[dict]) -> dict[str, int]:
    """All lines or none: accounts and enrolments in one transaction; then the invitations.

    A failure on any line (an account created meanwhile with the same address, the database
    refusing a row) rolls everything back and says so; nothing is half imported.
    """
    try:
        result = _add_all(cohort, rows)
        db.session.commit()
    except (EmailTaken, SQLAlchemyError):
        db.session.rollback()
        log.exception("cohorte %s : import annulé", cohort.id)
        raise ImportRefused(
            "L'import n'a pas pu être enregistré : aucune personne n'a été inscrite ni aucun "
            "compte créé. Importez le fichier à nouveau."
        ) from None
    log.info("cohorte %s : %d personne(s) importée(s)", cohort.id, result["inscrits"])
    return result


def _add_all(cohort, rows: list[dict]) -> dict:
    created, enrolled = [], 0
    for values in rows:
        user = find_by_email(values["email"])
        if not user:
            user = add_user(
                email=values["email"],
                password=secrets.token_urlsafe(24),
                first_name=values["prenom"],
                last_name=values["nom"],
                profile="autre",
                structure=values["structure"],
                commune="",
                departement_code=values["departement"],
            )
            created.append(user.email)
        if not is_member(cohort, user):
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id, source="import"))
            db.session.flush()
            enrolled += 1
    return {"comptes_crees": len(created), "inscrits": enrolled, "emails": created}
