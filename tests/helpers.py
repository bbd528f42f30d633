"""Helpers shared across the suite; fixtures live in the conftest files.

- forms a person fills in, and what the next page will say;
- several tabs of one browser sending at once (the races of tests/test_races.py);
- facts written straight to the tables: a test whose subject comes after a step (a listing,
  a cohort page, a revocation) needs the step's facts, not its path — the path has tests of
  its own, and walking it for every test costs a few dozen queries and statements a step.
"""

import csv
import io
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from annuaire.models import Listing
from certificates import readiness, status
from certificates.models import Certificate
from cohorts import services
from courses import progress
from courses.models import LessonProgress, ModuleProgress
from lms.extensions import db
from lms.models import utcnow
from lms.xapi.models import StoredStatement
from lms.xapi.recorder import activity_iri
from lms.xapi.vocabulary import VERBS
from quizzes import draw
from quizzes import services as quizzes
from quizzes.demo import right_answers
from quizzes.models import QuizAttempt
from tests.conftest import PASSWORD

# --- forms ----------------------------------------------------------------------------------------

# The sign-up form, as a newcomer fills it in.
VALID = {
    "email": "Claire.Petit@Exemple.fr",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "first_name": "Claire",
    "last_name": "Petit",
    "profile": "mediateur",
    "structure": "Centre social des Minimes",
    "commune": "Toulouse",
    "departement": "31",
}


def flashed(tab) -> str:
    """The message the last request left for the next page (the redirects are not followed)."""
    with tab.session_transaction() as session:
        flashes = session.get("_flashes", [])
    return flashes[-1][1] if flashes else ""


# --- quizzes --------------------------------------------------------------------------------------

# The fixture bank's right answers, in its own ids (a page shows each attempt's values instead).
RIGHT = {
    "q-capitale": "paris",
    "q-pairs": ["deux", "quatre"],
    "q-turc": "vrai",
    "q-crepes.melanger": "1",
    "q-crepes.lait": "2",
    "q-crepes.reposer": "3",
    "q-crepes.cuire": "4",
    "q-partage.recette": "oui",
    "q-partage.secu": "non",
    "q-partage.sante": "non",
}

FIRST_FIVE = ("capitale", "pairs", "turc", "crepes", "partage")  # one of each kind but matching


# --- several tabs at once -------------------------------------------------------------------------

MY_LISTING = "/annuaire/ma-fiche"
TABS = 4
ON_BOTH = pytest.mark.parametrize(
    "database", ["suite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)


def tabs(app, client, n: int = TABS) -> list:
    """n clients holding the session cookie of `client` (logged in): n tabs of one browser."""
    client.csrf_token()  # the session now holds the CSRF secret the tabs' forms are signed with
    cookie = client.get_cookie("session")
    result = []
    for _ in range(n):
        tab = app.test_client()
        tab.set_cookie("session", cookie.value)
        result.append(tab)
    return result


def at_once(clients: list, send) -> list:
    """send(client) from one thread per client, released together; their responses, in order."""
    barrier, responses, errors = threading.Barrier(len(clients)), [None] * len(clients), []

    def run(index, tab):
        try:
            barrier.wait(timeout=10)
            responses[index] = send(tab)
        except Exception as error:  # re-raised below: a 500 propagates here in testing mode
            errors.append(error)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    assert all(responses), "every request should have answered"
    return responses


def rendezvous(monkeypatch, owner, name: str, parties: int = TABS) -> None:
    """Each request's first call of owner.name waits, once done, until all have made it."""
    barrier, original, seen = threading.Barrier(parties), getattr(owner, name), threading.local()

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        if not getattr(seen, "done", False):
            seen.done = True
            barrier.wait(timeout=10)
        return result

    monkeypatch.setattr(owner, name, wrapped)


def on(database: str) -> None:
    if database == "postgresql":
        assert db.engine.dialect.name == "postgresql"


def codes(responses) -> set[int]:
    return {response.status_code for response in responses}


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def statements(verb: str, *path: str) -> int:
    return count(
        StoredStatement,
        StoredStatement.verb == VERBS[verb][0],
        StoredStatement.object_id == activity_iri(*path),
    )


def submit_all(url: str, data: dict | None = None):
    """What each tab sends: the same form, with the CSRF token its page carried."""
    return lambda tab: tab.submit(url, data or {})


# --- facts written directly -----------------------------------------------------------------------


def complete_course(person) -> None:
    """Every lesson and module done and every quiz passed, as rows, with no statement."""
    now = utcnow()
    for module in progress.catalogue().modules:
        db.session.add_all(
            LessonProgress(
                user_id=person.id,
                module_slug=module.slug,
                lesson_slug=lesson.slug,
                completed_at=now,
            )
            for lesson in module.lessons
        )
        db.session.add(ModuleProgress(user_id=person.id, module_slug=module.slug, completed_at=now))
        if module.slug in quizzes.quizzes():
            db.session.add(
                QuizAttempt(
                    user_id=person.id,
                    module_slug=module.slug,
                    layout={},
                    answers={},
                    score=100.0,
                    passed=True,
                    submitted_at=now,
                )
            )
    db.session.commit()


def certify(person) -> Certificate | None:
    """The animateur status granted by its own rule, on facts written directly.

    None where the rule asks for more than the course (a cohort's validation by a formateur).
    """
    answers = dict.fromkeys(readiness.readiness().statements, 5)
    readiness.save(person, readiness.INITIAL, dict.fromkeys(answers, 2))
    complete_course(person)
    readiness.save(person, readiness.FINAL, answers)
    return status.grant_if_eligible(person)


def readiness_form(level: int, animer: int | None = None) -> dict:
    values = {f"r-{s}": str(level) for s in STATEMENTS}
    values["r-animer"] = str(animer if animer is not None else level)
    return values


def finish_modules(client, app):
    """Every lesson done and every quiz passed, through the pages."""
    from courses import progress

    for module in progress.catalogue().modules:
        for lesson in module.lessons:
            client.submit(f"/modules/{module.slug}/{lesson.slug}/terminer")
        quiz = quizzes.quizzes().get(module.slug)
        if quiz:
            page = client.get(f"/modules/{module.slug}/quiz").get_data(as_text=True)
            attempt = page.split('name="attempt" value="')[1].split('"')[0]
            client.submit(
                f"/modules/{module.slug}/quiz",
                {"attempt": attempt, **right_answers(quiz, attempt).to_dict(flat=False)},
            )


# (validation required, already certified, status, message): by an admin and by a formateur.
REFUSED_VALIDATIONS = [
    (False, False, 400, "pas demandée sur cette plateforme"),
    (True, False, 409, "pas en attente de validation"),
    (True, True, 409, "pas en attente de validation"),
]


STATEMENTS = list(readiness.readiness().statements)


def attempt_id(client) -> str:
    page = client.get("/modules/module-un/quiz").get_data(as_text=True)
    return re.search(r'name="attempt" value="(\d+)"', page).group(1)


def asked(attempt) -> dict[str, draw.Shown]:
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, int(attempt)) if str(attempt).isdigit() else None
    shown = draw.shown(quizzes.quizzes()["module-un"], attempt.layout) if attempt else None
    return {s.question.id: s for s in shown or []}


def in_values(attempt, answers: dict) -> dict:
    """Answers given in the bank's ids, as the attempt's page sends them; an id the attempt does
    not know (a forged answer) is sent as it is."""
    shown, sent = asked(attempt), {}
    for key, value in answers.items():
        question_id, _, item = key[2:].partition(".")
        if question_id not in shown:
            sent[key] = value
            continue
        options = {o.id: v for o, v in shown[question_id].options}
        targets = {o.id: v for o, v in shown[question_id].targets}
        if item:
            key, value = f"q-{question_id}.{options.get(item, item)}", targets.get(value, value)
        elif shown[question_id].question.kind != "truefalse":
            value = (
                [options.get(v, v) for v in value]
                if isinstance(value, list)
                else options.get(value, value)
            )
        sent[key] = value
    return sent


ROLES = ("anonyme", "apprenant", "formateur", "admin")


# Integers a database column cannot hold, or that int() reads although no link writes them.
HOSTILE_INTS = ["0", "-1", "2147483648", "99999999999999999999999", "٣", "²", "１", "1e3"]


HOSTILE_TEXT = [
    "",
    "x" * 3000,
    "\x00",
    "٣",
    "../../etc/passwd",
    "' OR '1'='1",
    '"><script>alert(1)</script>',
    "9999-12-31",
    "0001-01-01",
    "null",
]


HOSTILE_QUERY = HOSTILE_INTS + HOSTILE_TEXT + ["[]", "{}", "eyJ4Ijp7fX0=", "W1tbW1tbW10="]


SKIPPED = {"accounts.logout"}  # it would log the sweeping client out; tested in test_accounts


# <converter(arguments):name>, as Werkzeug writes rules.
PARAMETER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def rules(app, methods=("GET", "POST")) -> Iterator[tuple[str, str, str]]:
    """(endpoint, method, rule) for every route of the platform."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIPPED:
            continue
        for method in sorted(rule.methods & set(methods)):
            yield rule.endpoint, method, rule.rule


def url_for_rule(rule: str, endpoint: str, world, hostile: dict[str, str] | None = None) -> str:
    """The rule with real values, except the parameters given in `hostile` (percent-encoded)."""

    def value(match):
        converter, arguments, name = match.groups()
        if hostile and name in hostile:
            return quote(hostile[name], safe="")
        if converter == "any":  # <any(accepter, refuser):answer>: the first choice
            return arguments.split(",")[0].strip()
        if name == "code":
            return world["codes"].get(endpoint, world["codes"]["default"])
        return world["values"].get(name, "inconnu")

    return PARAMETER.sub(value, rule)


HEADER = "email,prenom,nom,structure,departement\n"


def url(cohort, path=""):
    return f"/formateur/cohortes/{cohort.id}{path}"


def upload(client, cohort, text: str | bytes, name="apprenants.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.submit(
        url(cohort, "/import"),
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def confirm(client, cohort, page):
    token = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.submit(url(cohort, "/import/confirmer"), {"token": token})


def enrol(cohort, user):
    services.join(cohort, user)
    return user


VISITOR = {
    "name": "Mairie de Ploemeur",
    "email": "contact@ploemeur.example",
    "message": "Un café en mars ?",
}


WEEK_1 = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)  # a Tuesday: the week of Monday 5 January


WEEK_2 = datetime(2026, 1, 13, 10, 0, tzinfo=UTC)


def rsa_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


LISTING = {
    "display_name": "Camille M.",
    "structure": "Médiathèque de Lorient",
    "commune": "Lorient",
    "departement": "56",
    "formats": ["presentiel"],
    "audiences": ["seniors", "tout_public"],
    "presentation": "Cafés IA le mardi.",
    "contact_mode": "relais",
    "consent": "y",
}


# One payload per free-text field, so that a leak names the field it came from.
PAYLOADS = {
    field: f'"><script>alert("{field}")</script><img src=x onerror=alert(1)>'
    for field in ("display_name", "structure", "commune", "presentation")
}


def publish(client, **changes):
    return client.submit("/annuaire/ma-fiche", {**LISTING, **changes})


def listed(create_user, **fields) -> Listing:
    """A listing written straight to the database, for a newly certified person."""
    person = create_user()
    certify(person)
    return write_listing(person, **fields)


def write_listing(person, **fields) -> Listing:
    """The person's listing as the annuaire's form would leave it (no certificate checked)."""
    listing = Listing(
        user_id=person.id,
        **{
            "display_name": "Animateur",
            "structure": "Structure",
            "commune": "Lyon",
            "departement_code": "69",
            "region": "Auvergne-Rhône-Alpes",
            "formats": ["presentiel"],
            "audiences": ["tout_public"],
            **fields,
        },
    )
    db.session.add(listing)
    db.session.commit()
    return listing


def count_listings() -> int:
    return db.session.scalar(select(func.count()).select_from(Listing))


def only_listing() -> Listing:
    return db.session.scalar(select(Listing))


# --- exports --------------------------------------------------------------------------------------


def read_people_csv(response) -> list[dict]:
    """A CSV for people, read as a French spreadsheet reads it: UTF-8 with a BOM, the dialect
    the Sniffer finds is the `;` one lms/exports.py declares."""
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff"), "no BOM: a spreadsheet would garble the accents"
    text = text.removeprefix("\ufeff")
    assert csv.Sniffer().sniff(text.split("\r\n", 1)[0], delimiters=";,").delimiter == ";"
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def french_decimal(cell: str) -> float:
    """« 85,7 » → 85.7; a decimal point is refused (a French spreadsheet would read text)."""
    assert "." not in cell, f"decimal point in {cell!r}"
    return float(cell.replace(",", "."))
