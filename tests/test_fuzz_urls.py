"""Hostile values across the whole URL map: every route, as every role, never answers a 5xx.

Each sweep walks `app.url_map` itself, so a new route is covered the day it is added: hostile
path parameters (huge, negative, unicode digits, far too long…), hostile query strings, hostile
form bodies (every field name the pages show or the forms declare) and JSON bodies carrying the
CSRF token in a header. A refused write must leave every table as it was.
"""

import functools
import re
from datetime import date, time, timedelta
from inspect import getsource, unwrap

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import inspect, text
from werkzeug import exceptions
from wtforms.fields.core import UnboundField

from cafes.models import Cafe
from certificates import status
from cohorts import services as cohorts
from lms.extensions import db
from lms.security import FORM_TYPES
from quizzes import services as quizzes
from tests.conftest import PASSWORD
from tests.helpers import (
    HOSTILE_INTS,
    HOSTILE_QUERY,
    HOSTILE_TEXT,
    PARAMETER,
    ROLES,
    certify,
    rules,
    url_for_rule,
    write_listing,
)

# The few that found most: for the sweeps that multiply routes by roles.
pytestmark = pytest.mark.long

SHORT_LIST = ["2147483648", "99999999999999999999999", "٣", "²", "-1", "x" * 3000, "\x00"]
# What the views read from the query string (a view that reads request.args must be listed:
# test_every_view_reading_the_query_string_is_listed checks it).
QUERY_PARAMS = {
    "admin.users": ["q", "page"],
    "annuaire.search": ["q", "region", "departement", "commune", "format", "public", "page"],
    "cafes.agenda": ["region", "departement", "format", "public", "du", "au", "page"],
    "accounts.login": ["next"],
    "certificates.verify_form": ["code"],
    "cohorts.show": ["filtre", "tri", "ordre"],
    "xapi.statements": [
        *("agent", "verb", "activity", "registration", "since", "until", "limit", "cursor"),
        *("statementId", "voidedStatementId", "related_activities", "related_agents"),
        *("format", "attachments", "ascending"),
    ],
    "xapi.my_statements": ["verb", "activity", "registration", "since", "until", "limit", "cursor"],
    **{
        f"stats.{page}": ["du", "au", "region", "cohorte"]
        for page in ("overview", "publics", "readiness", "questions", "export")
    },
    "stats.territories": ["du", "au", "region", "cohorte", "carte"],
    **{
        f"stats.{page}": ["du", "au", "region", "departement", "theme"]
        for page in ("reach_page", "reach_export", "syntheses_export")
    },
    "stats.syntheses": ["du", "au", "region", "departement", "theme", "page"],
}
XAPI = {"X-Experience-API-Version": "1.0.3"}
# Hand-made cursors: decoded, each has the wrong shape for [stored, id].
BAD_CURSORS = ["WzEsMl0=", "WyJ4IiwieSJd", "eyJhIjoxfQ==", "WyI5OTk5LTEyLTMxIiwgW119", "!!!"]
FAR_DATES = ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00", "9999-12-31"]
SPECIFIC = {"cursor": BAD_CURSORS, **dict.fromkeys(("since", "until", "du", "au"), FAR_DATES)}
# JSON bodies, values of every type, top-level or under each field.
JSON_VALUES = [10**30, 1.5, None, {"a": {"b": []}}, [1, [2]]]
TOP_LEVEL_JSON = [10**30, "texte", [1, [2]]]


def _is_http(cls) -> bool:
    return isinstance(cls, type) and issubclass(cls, exceptions.HTTPException) and cls.code


# Werkzeug's own English texts: a 4xx must say what happened in French instead.
ENGLISH = {
    cls.description
    for cls in vars(exceptions).values()
    if _is_http(cls) and isinstance(cls.description, str)
}


@pytest.fixture
def app_config():
    # The sweep sends thousands of requests from one address: rate limits would hide the views.
    return {"RATELIMIT_ENABLED": False}


@pytest.fixture
def world(app, create_user):
    """Real objects for every kind of path parameter, so valid ids reach the views."""
    people = {role: create_user(role=role) for role in ROLES[1:]}
    learner = people["apprenant"]
    certify(learner)
    cohort = cohorts.create(people["formateur"], name="Cohorte sondée")
    cohorts.join(cohort, learner)
    quiz = quizzes.quizzes()["module-un"]
    attempt = quizzes.current_attempt(learner, quiz)
    listing = write_listing(learner, display_name="Animatrice")
    cafe = Cafe(
        animateur_id=learner.id,
        title="Café sondé",
        day=date.today() + timedelta(days=7),
        starts=time(18),
        ends=time(20),
        format="presentiel",
        structure="Structure",
        commune="Lyon",
        departement_code="69",
        region="Auvergne-Rhône-Alpes",
        audience="tout_public",
        animation="recette",
        capacity=12,
    )
    db.session.add(cafe)
    db.session.commit()
    certificate_code = status.certificate_of(learner).code
    return {
        "people": people,
        "values": {
            "user_id": str(learner.id),
            "cohort_id": str(cohort.id),
            "listing_id": str(listing.id),
            "cafe_id": str(cafe.id),
            "registration_id": "1",
            "plan_id": "1",  # a café plan: a 404, after the body's checks
            "assignment_id": "1",  # a référent's territory: a 404, after the body's checks
            "attempt_id": str(attempt.id),
            "note_id": "1",  # a reflection note: a 404, after the body's checks
            "block_id": "verif-1",  # the fixture lesson's check: hostile answers reach it
            "module_slug": "module-un",
            "lesson_slug": "lecon-1",
            "action": "revoquer",
            "token": "jeton-inconnu",
            "name": "entonnoir",
            "fmt": "csv",
            "filename": "cafeia.css",
        },
        "codes": {"cohorts.join": cohort.invite_code, "default": certificate_code},
    }


class Sweep:
    """One logged-in client per role; sends, counts, and records what went wrong."""

    def __init__(self, app, world, auth_clients):
        self.app, self.world, self.clients = app, world, auth_clients
        self.tokens = {role: client.csrf_token() for role, client in auth_clients.items()}
        self.sent, self.failures = 0, []

    def send(self, role, method, url, check_unchanged=False, **kwargs):
        before = row_counts() if check_unchanged else None
        self.sent += 1
        try:
            response = self.clients[role].open(url, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 — a crash is what the sweep looks for
            self.failures.append(f"{role} {method} {url[:120]} → {type(error).__name__}: {error}")
            return None
        response.get_data()  # read, then closed: a file served stays open otherwise
        response.close()
        self._check(role, method, url, response, before)
        return response

    def _check(self, role, method, url, response, before):
        where = f"{role} {method} {url[:120]} {response.status_code}"
        if response.status_code >= 500:
            self.failures.append(where)
        elif response.status_code >= 400 and response.mimetype == "text/html":
            page = response.get_data(as_text=True)
            if any(text in page for text in ENGLISH):
                self.failures.append(f"{where}: message en anglais")
        if before is not None and response.status_code >= 400:
            after = row_counts()
            changed = {
                name: (before[name], after[name]) for name in before if before[name] != after[name]
            }
            if changed:
                self.failures.append(f"{where}: refusé, mais la base a changé {changed}")

    def report(self):
        assert not self.failures, f"{len(self.failures)} sur {self.sent}:\n" + "\n".join(
            self.failures[:40]
        )


def row_counts() -> dict[str, int]:
    """Every table's row count, by name, in one query (a UNION ALL keeps no order of its own)."""
    return dict(db.session.execute(_count_every_table()).all())


@functools.cache
def _count_every_table():
    """Written once: building the query (and reading the table names) cost ten times the
    request it checks. The migrated tables do not change during the suite."""
    existing = set(inspect(db.engine).get_table_names())
    return text(
        " UNION ALL ".join(
            f"SELECT '{table.name}', count(*) FROM {table.name}"
            for table in db.metadata.sorted_tables
            if table.name in existing
        )
    )


@pytest.fixture
def sweep(app, world, auth_clients):
    return Sweep(app, world, auth_clients)


@pytest.fixture
def auth_clients(app, world):
    clients = {role: app.test_client() for role in ROLES}
    for role, person in world["people"].items():
        clients[role].submit("/connexion", {"email": person.email, "password": PASSWORD})
    return clients


def path_parameters(rule: str) -> list[tuple[str, str]]:
    return [(m.group(1) or "default", m.group(3)) for m in PARAMETER.finditer(rule)]


def test_hostile_path_parameters(app, sweep):
    """Huge, negative, unicode or absurd ids and codes: 404 (or a refusal), never a 500."""
    for endpoint, method, rule in rules(app):
        for converter, name in path_parameters(rule):
            values = HOSTILE_INTS if converter == "int" else HOSTILE_TEXT + HOSTILE_INTS[2:4]
            for role in ROLES:
                for value in values:
                    url = url_for_rule(rule, endpoint, sweep.world, {name: value})
                    data = {"csrf_token": sweep.tokens[role]} if method == "POST" else None
                    sweep.send(role, method, url, check_unchanged=method == "POST", data=data)
    sweep.report()
    assert sweep.sent > 1000


def test_huge_ids_are_plain_not_found(client):
    for url in ("/annuaire/99999999999999999999999", "/annuaire/2147483648", "/annuaire/٣"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page introuvable" in response.get_data(as_text=True)


def test_hostile_query_strings(app, sweep):
    """Every GET route, as every role, gets each hostile value under every name a view reads,
    all at once; the admin, who reaches every view, also sends each name alone to the views
    that read it, so an early refusal of one name hides nothing about the others."""
    every_name = sorted({name for names in QUERY_PARAMS.values() for name in names})
    for endpoint, _, rule in rules(app, methods=("GET",)):
        url = url_for_rule(rule, endpoint, sweep.world)
        for role in ROLES:
            for value in SHORT_LIST:
                sweep.send(role, "GET", url, query_string=dict.fromkeys(every_name, value))
        for name in QUERY_PARAMS.get(endpoint, []):
            for value in HOSTILE_QUERY + SPECIFIC.get(name, []):
                # The xAPI API refuses a request without its version before reading a filter.
                sweep.send("admin", "GET", url, query_string={name: value}, headers=XAPI)
    sweep.report()
    assert sweep.sent > 1000


def test_far_dates_and_odd_limits_are_refused_in_french(client, login_as):
    login_as("admin")
    for url in (
        "/admin/statistiques?au=9999-12-31",
        "/admin/statistiques/export/entonnoir.csv?du=0001-01-01",
        "/admin/utilisateurs?page=99999999999999999999",
    ):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Date hors de la période possible" in page or "« page » doit être" in page
    for query in ("limit=²", "cursor=WzEsMl0=", "since=9999-12-31T23:00:00-05:00"):
        response = client.get(f"/xapi/statements?{query}", headers=XAPI)
        assert response.status_code == 400 and response.json["erreur"].startswith("« ")


def field_names(app) -> set[str]:
    """Every field the platform's WTForms forms declare."""
    names, forms = set(), list(FlaskForm.__subclasses__())
    while forms:
        form = forms.pop()
        forms += form.__subclasses__()
        for klass in form.__mro__:
            names |= {k for k, v in vars(klass).items() if isinstance(v, UnboundField)}
    return names


NAME = re.compile(r'name="([^"]+)"')


def page_field_names(sweep) -> set[str]:
    """The field names the pages really show (quiz answers, readiness scale, hidden ids…)."""
    names = set()
    for endpoint, _, rule in rules(sweep.app, methods=("GET",)):
        if endpoint in ("static", "dsfr"):
            continue
        for role in ROLES:
            response = sweep.send(role, "GET", url_for_rule(rule, endpoint, sweep.world))
            if response is not None and response.mimetype == "text/html":
                names |= set(NAME.findall(response.get_data(as_text=True)))
    return names - {"csrf_token"}


def test_hostile_form_bodies(app, sweep):
    """Every POST route, as every role, with every field name set to each hostile value,
    url-encoded and multipart: refused in French, and nothing written when refused."""
    names = sorted(field_names(app) | page_field_names(sweep))
    values = [*SHORT_LIST[:5], "", "x" * 1000]
    for endpoint, method, rule in rules(app, methods=("POST",)):
        url = url_for_rule(rule, endpoint, sweep.world)
        for role in ROLES:
            for value in values:
                body = {**dict.fromkeys(names, value), "csrf_token": sweep.tokens[role]}
                sweep.send(role, method, url, check_unchanged=True, data=body)
            body = {**dict.fromkeys(names, "٣"), "csrf_token": sweep.tokens[role]}
            sweep.send(
                role,
                method,
                url,
                check_unchanged=True,
                data=body,
                content_type=sorted(FORM_TYPES)[1],
            )
    sweep.report()
    assert len(names) > 30 and sweep.sent > 500


def test_json_and_foreign_bodies_never_reach_a_form(app, sweep):
    """A JSON body with the CSRF token in its header: 415 before any view, nothing written.
    Only the badge verification API reads its own body (a JWT): it refuses it with a 400."""
    names = sorted(field_names(app))
    for endpoint, method, rule in rules(app, methods=("POST",)):
        url = url_for_rule(rule, endpoint, sweep.world)
        for role in ROLES:
            headers = {"X-CSRFToken": sweep.tokens[role]}
            bodies = [dict.fromkeys(names, value) for value in JSON_VALUES] + TOP_LEVEL_JSON
            for body in bodies:
                response = sweep.send(
                    role, method, url, check_unchanged=True, json=body, headers=headers
                )
                expected = 400 if endpoint == "certificates.badge_verify" else 415
                if response is not None and response.status_code != expected:
                    sweep.failures.append(f"{role} {url} JSON → {response.status_code}")
            for mimetype in ("text/plain", "application/xml"):
                sweep.send(
                    role,
                    method,
                    url,
                    check_unchanged=True,
                    data="<a>1</a>",
                    headers=headers,
                    content_type=mimetype,
                )
    sweep.report()


def test_other_methods_are_refused_in_french(app, sweep):
    for endpoint, _, rule in rules(app, methods=("GET", "POST")):
        url = url_for_rule(rule, endpoint, sweep.world)
        for method in ("PUT", "PATCH", "DELETE"):
            response = sweep.send("admin", method, url, check_unchanged=True, json={"a": 1})
            assert response is None or response.status_code == 405, url
    sweep.report()


def test_every_view_reading_the_query_string_is_listed(app):
    for endpoint, view in app.view_functions.items():
        source = getsource(unwrap(view))
        if "request.args" in source:
            assert endpoint in QUERY_PARAMS, (
                f"{endpoint} lit request.args : ajoutez-le à QUERY_PARAMS"
            )
