"""States nobody builds by hand: real people act at random, and every page stays up.

A Hypothesis state machine drives a small cast (five people, an admin, an anonymous visitor)
through random sequences of real HTTP actions — sign up, readiness, lessons, a quiz opened and
left or answered wrong, partly or right, a cohort joined by its link or by import, the annuaire,
validation, revocation, restoration, account deletion; a lesson's checks answered, its note
written and erased, its scene left halfway, its manipulation used; cafés announced, edited,
duplicated, cancelled, joined and left, gone by, reported, declared, given feedback, planned;
territories granted and withdrawn, cafés hidden, messages sent by référents — and after every
step crawls every page each of them can reach (links found in the pages, every GET route without
parameters, and the pages of what people made: each café, report, plan), asserting that none
answers 5xx. A page that aggregates rows left incomplete by ordinary use (an
attempt never submitted, a readiness with only its first phase, a deleted co-formateur…) fails
here before a formateur finds it.

Bounded for CI (a fixed seed, a few examples of a few dozen steps) on SQLite and PostgreSQL; run
with `-s` to read how many states and pages were visited.
"""

import html
import os
import random
import re
import shutil
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import MethodNotAllowed, NotFound

from cafeia import create_app
from cafes.models import Cafe
from cafes.plans import STANDARD_SEQUENCE, CafePlan
from certificates import readiness, status
from lms.accounts.services import create_user, find_by_email
from lms.extensions import db, limiter
from quizzes.demo import half_right_answers, right_answers

from .cafes.helpers import CAFE
from .conftest import FIXTURE_CONTENT, PASSWORD, FormClient, SmtpServer, make_config

pytestmark = pytest.mark.long

BASE = "http://cafeia.test"
NAMES = ("Anaïs", "Bruno", "Chloé", "Driss", "Élise")
QUIZ_MODULE = "module-un"  # the fixture catalogue: two modules of two lessons, one quiz
LESSONS = [(m, lesson) for m in ("module-un", "module-deux") for lesson in ("lecon-1", "lecon-2")]
UNLIMITED = "100000 per minute"
# GET pages that record something (a lesson « experienced », a quiz attempt opened): the rules
# visit them on purpose; the crawl, which only looks, leaves them alone (not the module's sheet).
RECORDING = re.compile(r"^/modules/[^/]+/(?!fiche$|fiche\.pdf$)[^/]+$")
# PDFs WeasyPrint draws on each request: each address once per visitor and example.
DRAWN = {"courses.sheet_pdf", "cafes.plan_pdf"}
MAX_PAGES_PER_VISITOR = 100
MAX_VISITS_PER_ROUTE = 3
STATIC = re.compile(r"^(/[\w-]+)?/static/")  # the app's and each blueprint's files
# The fixture catalogue's blocks (tests/courses/fixture_content), and a scene and a manipulation
# added to a copy of it for this machine (the published ones live in modules 2 and 4).
CAFE_PAGES = ("compte-rendu", "avis", "participants", "modifier", "dupliquer")
PLAN_PAGES = ("", "/imprimer", "/annoncer", "/plan.pdf")
CHECK_LESSON = "/modules/module-un/lecon-1"
SCENE_LESSON = "/modules/module-deux/lecon-1"


@dataclass
class Tally:
    """What all the examples visited, printed at the end for the record."""

    examples: int = 0
    states: int = 0
    requests: int = 0  # every request, of the rules and of the crawls
    crawled: int = 0  # pages requested by the crawls
    urls: set = field(default_factory=set)
    endpoints: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)  # POSTs, by endpoint


TALLY = Tally()


class Visitor(FormClient):
    """A browser: every response it receives, on any request, must not be a server error."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        TALLY.requests += 1
        TALLY.endpoints[_endpoint(self.application, request.path)] += 1
        if request.method == "POST":
            TALLY.actions[request.path] += 1
        else:
            TALLY.urls.add(request.full_path.rstrip("?"))
        assert response.status_code < 500, (
            f"{response.status_code} sur {response.request.method} {response.request.path}"
        )
        return response

    def send(self, page: str, data=None, action: str | None = None):
        """Fill in a form of `page` as a browser would (its hidden fields, then `data`), post it.

        The form is the one posting to `action` (the page itself by default); when the page
        shows none (the state does not offer that button), the request is sent all the same,
        with the session's CSRF token: the server must refuse it, never fail."""
        target = action or urlsplit(page).path
        found = self.get(page).get_data(as_text=True)
        hidden = next(
            (h for a, _, h in _forms(found) if (a or urlsplit(page).path) == target), None
        )
        form = MultiDict(hidden or {"csrf_token": self.csrf_token()})
        if not isinstance(data, MultiDict):  # a tuple is a file here, not a list of values
            data = MultiDict(
                {k: v if isinstance(v, list) else [v] for k, v in (data or {}).items()}
            )
        for key, values in data.lists():
            form.setlist(key, values)
        return self.post(target, data=form)


@dataclass
class Person:
    name: str
    client: Visitor
    email: str
    user_id: int | None = None
    password: str | None = None  # None: imported, has not chosen a password yet
    logged_in: bool = False

    @property
    def exists(self) -> bool:
        return self.user_id is not None


def _endpoint(app, path: str) -> str:
    try:
        return app.url_map.bind("cafeia.test").match(path, method="GET")[0]
    except (NotFound, MethodNotAllowed):
        return "(aucune page)"


def _links(page: str) -> list[str]:
    """Same-site paths linked from a page, without their fragment."""
    found = []
    for raw in re.findall(r'href="([^"]+)"', page):
        url = html.unescape(raw).split("#", 1)[0]
        if url.startswith(BASE):
            url = url[len(BASE) :] or "/"
        if url.startswith("/") and not url.startswith("//") and not STATIC.match(url):
            found.append(url)
    return found


def _forms(page: str) -> list[tuple[str, str, dict]]:
    """(action, text, hidden fields) of each POST form on a page."""
    forms = []
    for attributes, body in re.findall(r"<form([^>]*)>(.*?)</form>", page, re.S):
        if 'method="post"' not in attributes.lower():
            continue
        action = re.search(r'action="([^"]*)"', attributes)
        hidden = {}
        for tag in re.findall(r"<input([^>]*)>", body):
            fields = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
            if fields.get("type") == "hidden" and "name" in fields:
                hidden[fields["name"]] = html.unescape(fields.get("value", ""))
        text = html.unescape(re.sub(r"<[^>]+>", " ", body))
        path = urlsplit(html.unescape(action.group(1))).path if action else ""
        forms.append((path, text, hidden))
    return forms


class Platform(RuleBasedStateMachine):
    """The platform with its cast; each rule is one thing a real person does through HTTP."""

    database_uri: str
    mailbox: SmtpServer
    content: str

    def __init__(self):
        super().__init__()
        TALLY.examples += 1
        self.mailbox.messages.clear()
        self.app = create_app(
            make_config(
                self.database_uri,
                MAIL_SERVER="127.0.0.1",
                MAIL_PORT=self.mailbox.port,
                # One example in two asks for a formateur's validation: « éligible » exists then.
                REQUIRE_TRAINER_VALIDATION=TALLY.examples % 2 == 0,
                LOGIN_RATE_LIMIT=UNLIMITED,
                VERIFY_RATE_LIMIT=UNLIMITED,
                CONTACT_RATE_LIMIT=UNLIMITED,
                REMINDER_RATE_LIMIT=UNLIMITED,
                CAFE_REGISTRATION_RATE_LIMIT=UNLIMITED,
                COURSES_CONTENT=self.content,
            )
        )
        self.app.test_client_class = Visitor
        self.anonymous = self.app.test_client()
        with self.app.app_context():
            self._empty_tables()
            admin = create_user(
                email="admin@etats.exemple.fr", password=PASSWORD, role="admin", **_profile("Admin")
            )
            self.admin_id = admin.id
            self.quiz = self.app.extensions["quizzes"][QUIZ_MODULE]
        self.admin = self.app.test_client()
        self.admin.submit("/connexion", {"email": "admin@etats.exemple.fr", "password": PASSWORD})
        self.people = [
            Person(name, self.app.test_client(), f"personne{i}@etats.exemple.fr")
            for i, name in enumerate(NAMES)
        ]
        self.cohorts: list[dict] = []  # {"path", "code", "trainers": [Person]}
        self.links: set[str] = set()  # pages reached by a token (a feedback form, an e-mail)
        self.drawn: set[tuple[int, str]] = set()  # (visitor, PDF address) drawn once

    def teardown(self):
        with self.app.app_context():
            self._empty_tables()
            db.session.remove()
            db.engine.dispose()
        limiter.reset()

    @staticmethod
    def _empty_tables():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()

    # --- the cast -------------------------------------------------------------------------------

    def _pick(self, index: int, condition) -> Person | None:
        candidates = [p for p in self.people if condition(p)]
        return candidates[index % len(candidates)] if candidates else None

    def _role(self, person: Person) -> str | None:
        with self.app.app_context():
            user = find_by_email(person.email)
            return user.role if user else None

    def _learners(self):
        return [p for p in self.people if p.logged_in]

    def _trainers(self):
        return [p for p in self.people if p.logged_in and self._role(p) == "formateur"]

    def _log_in(self, person: Person) -> None:
        response = person.client.submit(
            "/connexion", {"email": person.email, "password": person.password}
        )
        assert response.status_code == 302
        person.logged_in = True

    @initialize()
    def a_formateur_opens_a_cohort(self):
        """Someone signs up, the admin makes them formateur, they open a cohort; a learner
        signs up, joins it by its link and becomes a certified animateur."""
        self.sign_up(0)
        self.admin_sets_role(0, "formateur")
        self.create_cohort(0)
        self.sign_up(0)
        self.join_by_link(0, 1)
        self._a_learner_becomes_animateur()

    def _a_learner_becomes_animateur(self):
        """The learner follows the whole course (and, where the rule asks for it, is validated):
        someone may announce cafés from the first step. (One initialize: Hypothesis runs
        several in any order.)"""
        person = self.people[1]
        self.follow_the_whole_course(1, 5)
        if self._status(person) != status.CERTIFIED:
            self._click_status_button(self.admin, f"/admin/animateurs/{person.user_id}", 0)
        assert self._status(person) == status.CERTIFIED

    # --- accounts -------------------------------------------------------------------------------

    @precondition(lambda self: any(not p.exists for p in self.people))
    @rule(index=st.integers(0, 4))
    def sign_up(self, index):
        person = self._pick(index, lambda p: not p.exists)
        data = {
            **{k: v for k, v in _profile(person.name).items() if k != "departement_code"},
            "departement": "35",
            "email": person.email,
            "password": PASSWORD,
            "confirm": PASSWORD,
        }
        response = person.client.send("/inscription", data)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        person.password, person.logged_in = PASSWORD, True
        person.user_id = self._user_id(person)

    @precondition(lambda self: any(p.exists and p.password is None for p in self.people))
    @rule(index=st.integers(0, 4))
    def choose_password_from_invitation(self, index):
        """An imported person follows the link of their invitation e-mail."""
        person = self._pick(index, lambda p: p.exists and p.password is None)
        link = self._mailed_link(person.email, r"/reinitialiser/[^\s]+")
        if link is None:
            return
        person.client.send(link, {"password": PASSWORD, "confirm": PASSWORD})
        person.password = PASSWORD
        self._log_in(person)

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(index=st.integers(0, 4))
    def delete_account(self, index):
        person = self._pick(index, lambda p: p.logged_in)
        response = person.client.send(
            "/mon-compte/supprimer", {"password": person.password, "confirm": "y"}
        )
        assert response.status_code == 302
        person.user_id, person.password, person.logged_in = None, None, False
        for cohort in self.cohorts:
            cohort["trainers"] = [t for t in cohort["trainers"] if t is not person]

    @precondition(lambda self: any(p.exists for p in self.people))
    @rule(index=st.integers(0, 4), role=st.sampled_from(["formateur", "apprenant"]))
    def admin_sets_role(self, index, role):
        person = self._pick(index, lambda p: p.exists)
        self.admin.send(
            f"/admin/utilisateurs?q={person.email}",
            {"role": role},
            action=f"/admin/utilisateurs/{person.user_id}/role",
        )

    # --- learning -------------------------------------------------------------------------------

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(index=st.integers(0, 4), level=st.integers(1, 5))
    def readiness(self, index, level):
        """The self-assessment of the person's current phase, every statement at one level."""
        self._readiness(self._pick(index, lambda p: p.logged_in), level)

    def _readiness(self, person: Person, level: int):
        answers = {f"r-{s}": str(level) for s in readiness.readiness().statements}
        person.client.send("/positionnement", answers)

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(index=st.integers(0, 4), lesson=st.sampled_from(LESSONS), complete=st.booleans())
    def lesson(self, index, lesson, complete):
        self._lesson(self._pick(index, lambda p: p.logged_in), lesson, complete)

    def _lesson(self, person: Person, lesson: tuple[str, str], complete: bool):
        module, slug = lesson
        page = f"/modules/{module}/{slug}"
        if complete:
            person.client.send(page, action=f"{page}/terminer")
        else:
            person.client.get(page)

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(
        index=st.integers(0, 4), answers=st.sampled_from(["aucune", "juste", "faux", "incomplet"])
    )
    def quiz(self, index, answers):
        """Open the quiz and leave without answering, or hand in right, wrong or partial answers."""
        person = self._pick(index, lambda p: p.logged_in)
        if answers == "aucune":
            assert person.client.get(f"/modules/{QUIZ_MODULE}/quiz").status_code == 200
        else:
            self._answer_quiz(person, answers)

    def _answer_quiz(self, person: Person, answers: str):
        page = person.client.get(f"/modules/{QUIZ_MODULE}/quiz").get_data(as_text=True)
        attempt = page.split('name="attempt" value="')[1].split('"')[0]  # its values, its draw
        with self.app.app_context():
            build = half_right_answers if answers == "faux" else right_answers
            form = build(self.quiz, attempt)
        if answers == "incomplet":  # the last question left blank: refused, nothing stored
            last = list(form)[-1].split(".")[0]
            form = MultiDict([(k, v) for k, v in form.items(multi=True) if k.split(".")[0] != last])
        response = person.client.send(f"/modules/{QUIZ_MODULE}/quiz", form)
        if response.status_code == 302:  # graded: the result page, as the browser shows it
            person.client.get(response.headers["Location"])
        return response

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(index=st.integers(0, 4), final=st.sampled_from([5, 4, 2]))
    def follow_the_whole_course(self, index, final):
        """Every lesson done, the quiz passed, both readiness phases: the way to the status."""
        person = self._pick(index, lambda p: p.logged_in)
        self._readiness(person, 2)
        for lesson in LESSONS:
            self._lesson(person, lesson, True)
        self._answer_quiz(person, "juste")
        self._readiness(person, final)

    # --- cohorts --------------------------------------------------------------------------------

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(index=st.integers(0, 4))
    def create_cohort(self, index):
        trainer = self._pick(index, lambda p: p.logged_in and self._role(p) == "formateur")
        if trainer is None:
            return
        response = trainer.client.send(
            "/formateur/cohortes/nouvelle", {"name": f"Cohorte {len(self.cohorts) + 1}"}
        )
        assert response.status_code == 302
        path = urlsplit(response.headers["Location"]).path
        page = trainer.client.get(path).get_data(as_text=True)
        code = re.search(r"/cohortes/rejoindre/([\w-]+)", page).group(1)
        self.cohorts.append({"path": path, "code": code, "trainers": [trainer]})

    @precondition(lambda self: bool(self.cohorts))
    @rule(cohort=st.integers(0, 9), index=st.integers(0, 4))
    def add_co_trainer(self, cohort, index):
        cohort = self.cohorts[cohort % len(self.cohorts)]
        colleague = self._pick(index, lambda p: p.exists)
        if not cohort["trainers"] or colleague is None:
            return
        owner = cohort["trainers"][0]
        owner.client.send(
            f"{cohort['path']}/modifier",
            {"co-email": colleague.email},
            action=f"{cohort['path']}/formateurs",
        )
        if self._role(colleague) == "formateur" and colleague not in cohort["trainers"]:
            cohort["trainers"].append(colleague)

    @precondition(lambda self: bool(self.cohorts) and any(p.logged_in for p in self.people))
    @rule(cohort=st.integers(0, 9), index=st.integers(0, 4))
    def join_by_link(self, cohort, index):
        cohort = self.cohorts[cohort % len(self.cohorts)]
        person = self._pick(index, lambda p: p.logged_in)
        link = f"/cohortes/rejoindre/{cohort['code']}"
        person.client.send(link)

    @precondition(lambda self: bool(self.cohorts))
    @rule(cohort=st.integers(0, 9), who=st.sets(st.integers(0, 4), min_size=1, max_size=3))
    def import_csv(self, cohort, who):
        """A formateur imports people, with or without an account; new ones get an e-mail."""
        cohort = self.cohorts[cohort % len(self.cohorts)]
        if not cohort["trainers"]:
            return
        trainer = cohort["trainers"][0]
        lines = ["email,prenom,nom,structure,departement"]
        lines += [
            f"{self.people[i].email},{self.people[i].name},Importé,Médiathèque,29" for i in who
        ]
        upload = (BytesIO("\n".join(lines).encode()), "apprenants.csv")
        preview = trainer.client.send(f"{cohort['path']}/import", {"file": upload})
        confirm = f"{cohort['path']}/import/confirmer"
        for action, _, hidden in _forms(preview.get_data(as_text=True)):
            if action == confirm:  # none if a line is refused (the formateur's own address…)
                trainer.client.post(confirm, data=hidden)
        for i in who:
            person = self.people[i]
            if not person.exists:
                person.user_id = self._user_id(person)  # created without a password

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(index=st.integers(0, 4), answer=st.sampled_from(["Accepter", "Refuser", "Quitter"]))
    def answer_invitation(self, index, answer):
        """Accept or decline an invitation, or leave a cohort, with the buttons the learner has.

        Found on the dashboard or on a cohort page it links to, whatever the import does to an
        existing account (enrol it, or invite it to accept)."""
        person = self._pick(index, lambda p: p.logged_in)
        page = person.client.get("/tableau-de-bord").get_data(as_text=True)
        pages = [page] + [
            person.client.get(link).get_data(as_text=True)
            for link in dict.fromkeys(_links(page))
            if "cohorte" in link
        ]
        for action, text, hidden in (form for page in pages for form in _forms(page)):
            if answer.lower() in text.lower() and action:
                person.client.post(action, data=hidden)
                return

    @precondition(lambda self: bool(self.cohorts))
    @rule(cohort=st.integers(0, 9))
    def remind_inactive(self, cohort):
        cohort = self.cohorts[cohort % len(self.cohorts)]
        if cohort["trainers"]:
            trainer = cohort["trainers"][0]
            trainer.client.send(cohort["path"], action=f"{cohort['path']}/relances")

    @precondition(lambda self: bool(self.cohorts))
    @rule(cohort=st.integers(0, 9), index=st.integers(0, 9), button=st.integers(0, 2))
    def trainer_acts_on_status(self, cohort, index, button):
        """A formateur opens one of their learners and clicks a status button it shows."""
        cohort = self.cohorts[cohort % len(self.cohorts)]
        if not cohort["trainers"]:
            return
        trainer = cohort["trainers"][-1]
        page = trainer.client.get(cohort["path"]).get_data(as_text=True)
        learners = sorted({link for link in _links(page) if "/apprenants/" in link})
        if learners:
            self._click_status_button(trainer.client, learners[index % len(learners)], button)

    # --- status and annuaire --------------------------------------------------------------------

    @precondition(lambda self: any(p.exists for p in self.people))
    @rule(index=st.integers(0, 4), button=st.integers(0, 2))
    def admin_acts_on_status(self, index, button):
        """On someone with a status if anyone has one (eligible, certified, revoked)."""
        person = self._pick(
            index, lambda p: self._status(p) not in (None, status.IN_TRAINING)
        ) or self._pick(index, lambda p: p.exists)
        self._click_status_button(self.admin, f"/admin/animateurs/{person.user_id}", button)

    def _click_status_button(self, client: Visitor, page: str, button: int):
        """Validate, revoke or restore, with a reason: one of the buttons the page offers, or,
        when it offers none, the action posted all the same (it must be refused, not fail)."""
        actions = ("valider", "revoquer", "retablir")
        found = client.get(page).get_data(as_text=True)
        offered = [a for a, _, _ in _forms(found) if a.rsplit("/", 1)[-1] in actions]
        target = offered[button % len(offered)] if offered else f"{page}/{actions[button]}"
        client.send(page, {"reason": "Décision motivée"}, target)

    @precondition(lambda self: any(self._status(p) == status.CERTIFIED for p in self.people))
    @rule(index=st.integers(0, 4), action=st.sampled_from(["publier", "masquer", "retirer"]))
    def annuaire(self, index, action):
        """A certified person opts in (a listing with consent), hides or shows it, withdraws it."""
        person = self._pick(index, lambda p: p.logged_in and self._status(p) == status.CERTIFIED)
        if person is None:
            return
        page = "/annuaire/ma-fiche"
        listed = f"{page}/retirer" in person.client.get(page).get_data(as_text=True)
        if action == "publier" or not listed:  # without a listing, publishing is all there is
            person.client.send(page, LISTING)
        else:
            target = "visibilite" if action == "masquer" else "retirer"
            person.client.send(page, action=f"{page}/{target}")

    # --- lessons' activity blocks ---------------------------------------------------------------

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(
        index=st.integers(0, 4),
        block=st.sampled_from(["verif-1", "verif-2"]),
        pick=st.integers(0, 3),
    )
    def answer_a_check(self, index, block, pick):
        """A check answered with one of the choices its page shows: right, wrong or partly."""
        person = self._pick(index, lambda p: p.logged_in)
        page = person.client.get(CHECK_LESSON).get_data(as_text=True)
        shown = re.findall(rf'id="activite-{block}-(\w+)" name="reponse" value="\1"', page)
        chosen = [shown[pick % len(shown)]] if shown else []
        if block == "verif-2" and pick == 3:
            chosen = shown  # every box ticked: one of them is wrong
        person.client.send(CHECK_LESSON, {"reponse": chosen}, f"{CHECK_LESSON}/activites/{block}")

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(index=st.integers(0, 4), action=st.sampled_from(["ecrire", "effacer", "tout"]))
    def reflection_note(self, index, action):
        """A note written (or rewritten) in its lesson, erased from « Mes notes », or all of them."""
        person = self._pick(index, lambda p: p.logged_in)
        if action == "ecrire":
            person.client.send(
                CHECK_LESSON,
                {"note": "Le correcteur de mon téléphone."},
                f"{CHECK_LESSON}/activites/note-1",
            )
            return
        page = person.client.get("/mes-notes").get_data(as_text=True)
        wanted = "/mes-notes/effacer" if action == "tout" else "/effacer"
        forms = [(a, h) for a, _, h in _forms(page) if a.endswith(wanted)]
        if forms:
            person.client.post(forms[0][0], data=forms[0][1])

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(
        index=st.integers(0, 4),
        choices=st.lists(
            st.sampled_from(
                ["couper", "reformuler", "laisser", "excuser", "continuer", "recommencer"]
            ),
            min_size=1,
            max_size=2,
        ),
    )
    def play_a_scene(self, index, choices):
        """A scene played a step or two — often left halfway — or started again."""
        person = self._pick(index, lambda p: p.logged_in)
        action = f"{SCENE_LESSON}/activites/scene-test"
        for choice in choices:
            page = person.client.get(SCENE_LESSON).get_data(as_text=True)
            step = re.search(r'name="etape" value="([^"]+)"', page)
            if choice == "recommencer":
                person.client.send(SCENE_LESSON, {"recommencer": "1"}, action)
            else:
                person.client.send(
                    SCENE_LESSON, {"etape": step[1] if step else "debut", "choix": choice}, action
                )

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(
        index=st.integers(0, 4),
        order=st.sampled_from(["4,1,6,3,5,2", "1,2,3,4,5,6", "1,2,3"]),
        move=st.sampled_from(["verifier", "monter", "descendre"]),
    )
    def use_a_manipulation(self, index, order, move):
        """The crêpe recipe put in order: the lesson's GET form, as manipulations.js sends it."""
        person = self._pick(index, lambda p: p.logged_in)
        query = {"ordre-crepes-ordre": order, f"ordre-crepes-{move}": "2"}
        person.client.get(SCENE_LESSON, query_string=query)

    # --- cafés ----------------------------------------------------------------------------------

    def _animateur(self, index: int) -> Person | None:
        return self._pick(index, lambda p: p.logged_in and self._status(p) == status.CERTIFIED)

    def _cafes(self, person: Person | None = None) -> list[tuple[int, int]]:
        """(café id, animateur id) of the cafés of the database, of one person or everyone's."""
        with self.app.app_context():
            query = select(Cafe.id, Cafe.animateur_id).order_by(Cafe.id)
            if person is not None:
                query = query.where(Cafe.animateur_id == person.user_id)
            return [tuple(row) for row in db.session.execute(query)]

    def _own_cafe(self, index: int, cafe: int) -> tuple[Person, int] | None:
        person = self._animateur(index)
        mine = self._cafes(person) if person else []
        return (person, mine[cafe % len(mine)][0]) if mine else None

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(
        index=st.integers(0, 4),
        days=st.sampled_from([1, 10, 30]),
        capacity=st.sampled_from(["1", "2", "20"]),
    )
    def announce_cafe(self, index, days, capacity):
        person = self._animateur(index)
        if person:
            person.client.send("/mes-cafes/nouveau", _cafe_form(days, capacity=capacity))

    @precondition(lambda self: bool(self._cafes()))
    @rule(
        index=st.integers(0, 4),
        cafe=st.integers(0, 9),
        action=st.sampled_from(["modifier", "dupliquer", "annuler"]),
        days=st.sampled_from([2, 20]),
    )
    def change_cafe(self, index, cafe, action, days):
        """Edit (a smaller room), duplicate (a recurring café) or cancel one of one's cafés."""
        found = self._own_cafe(index, cafe)
        if found is None:
            return
        person, cafe_id = found
        if action == "modifier":
            person.client.send(f"/mes-cafes/{cafe_id}/modifier", _cafe_form(days, capacity="1"))
        elif action == "dupliquer":
            person.client.send(
                f"/mes-cafes/{cafe_id}/dupliquer", _cafe_form(days), "/mes-cafes/nouveau"
            )
        else:
            person.client.send("/mes-cafes", action=f"/mes-cafes/{cafe_id}/annuler")

    @precondition(lambda self: bool(self._cafes()))
    @rule(cafe=st.integers(0, 9), index=st.integers(0, 4), leave=st.booleans())
    def register_for_a_cafe(self, cafe, index, leave):
        """Someone of the cast (an account or not, it takes none) joins a café, or follows the
        link of their confirmation e-mail to give up their seat."""
        cafes = self._cafes()
        cafe_id, person = cafes[cafe % len(cafes)][0], self.people[index]
        if leave:
            link = self._mailed_link(person.email, r"/cafes/desinscription/[^\s\"<]+")
            if link:
                self.links.add(link)
                self.anonymous.send(link)
            return
        self.anonymous.send(
            f"/cafes/{cafe_id}",
            {"name": person.name, "email": person.email, "consent": "y"},
            f"/cafes/{cafe_id}/inscription",
        )

    @precondition(lambda self: bool(self._cafes()))
    @rule(cafe=st.integers(0, 9), days_ago=st.sampled_from([1, 8, 45]))
    def time_passes(self, cafe, days_ago):
        """The café's day comes and goes: its date written in the past, as tests/cafes/ do
        (8 days: the participants' word is closed; 45: long over)."""
        cafes = self._cafes()
        with self.app.app_context():
            found = db.session.get(Cafe, cafes[cafe % len(cafes)][0])
            found.day = date.today() - timedelta(days=days_ago)
            db.session.commit()

    @precondition(lambda self: bool(self._cafes()))
    @rule(
        index=st.integers(0, 4),
        cafe=st.integers(0, 9),
        action=st.sampled_from(["brouillon", "envoyer"]),
        participants=st.sampled_from(["3", "14"]),
    )
    def write_report(self, index, cafe, action, participants):
        """A report drafted, submitted or edited (a second submit) — or refused, the café
        being still to come or its window closed."""
        found = self._own_cafe(index, cafe)
        if found:
            person, cafe_id = found
            person.client.send(
                f"/mes-cafes/{cafe_id}/compte-rendu",
                {**REPORT, "participants": participants, "action": action},
            )

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(index=st.integers(0, 4), days_ago=st.sampled_from([0, 3]))
    def declare_cafe_held(self, index, days_ago):
        person = self._animateur(index)
        if person:
            person.client.send("/mes-cafes/declarer", _cafe_form(-days_ago, declared=True))

    @precondition(lambda self: bool(self._cafes()))
    @rule(index=st.integers(0, 4), cafe=st.integers(0, 9), marks=st.integers(1, 5))
    def participants_give_feedback(self, index, cafe, marks):
        """The animateur shows the link; a phone in the room answers (a new device each time)."""
        found = self._own_cafe(index, cafe)
        if found is None:
            return
        person, cafe_id = found
        page = html.unescape(person.client.get(f"/mes-cafes/{cafe_id}/avis").get_data(as_text=True))
        link = re.search(r'id="lien-avis">http://cafeia\.test(/cafes/avis/[^<]+)<', page)
        if link:
            self.links.add(link[1])
            phone = self.app.test_client()
            mark = str(marks)
            phone.send(link[1], {"learned": mark, "expressed": mark, "next_steps": mark})

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(index=st.integers(0, 4), announce=st.booleans())
    def prepare_first_cafe(self, index, announce):
        """« Préparer mon premier café »: the plan drafted (or changed), and, once certified,
        announced from it."""
        person = self._pick(index, lambda p: p.logged_in)
        response = person.client.send("/preparer-mon-cafe", PLAN)
        if not announce or response.status_code != 302:
            return
        plan = urlsplit(response.headers["Location"]).path
        person.client.send(f"{plan}/annoncer", _cafe_form(20), "/mes-cafes/nouveau")

    # --- référents ------------------------------------------------------------------------------

    @precondition(lambda self: any(p.exists for p in self.people))
    @rule(
        index=st.integers(0, 4),
        territory=st.sampled_from(["departement:31", "region:76", "departement:35"]),
    )
    def admin_grants_a_territory(self, index, territory):
        person = self._pick(index, lambda p: p.exists)
        self.admin.send(
            "/admin/referents",
            {"email": person.email, "territory": territory, "reason": "Coordination locale."},
        )

    @precondition(lambda self: any(p.exists for p in self.people))
    @rule(which=st.integers(0, 9))
    def admin_withdraws_a_territory(self, which):
        page = self.admin.get("/admin/referents").get_data(as_text=True)
        forms = [a for a, _, _ in _forms(page) if a.endswith("/retirer")]
        if forms:
            target = forms[which % len(forms)]
            self.admin.send("/admin/referents", {"reason": "Fin de mission."}, target)

    @precondition(lambda self: bool(self._cafes()))
    @rule(
        index=st.integers(0, 4),
        cafe=st.integers(0, 9),
        who=st.sampled_from(["referent", "admin"]),
        hide=st.booleans(),
    )
    def moderate_a_cafe(self, index, cafe, who, hide):
        """A référent (anyone logged in: a person without a territory is refused) or a national
        admin hides a café, or shows it again."""
        cafes = self._cafes()
        cafe_id = cafes[cafe % len(cafes)][0]
        verb = "masquer" if hide else "afficher"
        if who == "admin":
            client, page, action = self.admin, "/admin/cafes", f"/admin/cafes/{cafe_id}/{verb}"
        else:
            person = self._pick(index, lambda p: p.logged_in)
            if person is None:
                return
            client, page = person.client, "/mon-territoire"
            action = f"/mon-territoire/cafes/{cafe_id}/{verb}"
        client.send(page, {"reason": "Café payant."}, action)

    @precondition(lambda self: any(p.logged_in for p in self.people))
    @rule(index=st.integers(0, 4))
    def referent_writes(self, index):
        person = self._pick(index, lambda p: p.logged_in)
        person.client.send(
            "/mon-territoire/message", {"subject": "Rencontre", "body": "Retrouvons-nous jeudi."}
        )

    # --- after every step -----------------------------------------------------------------------

    def _status(self, person: Person) -> str | None:
        with self.app.app_context():
            user = find_by_email(person.email)
            return status.status_of(user) if user else None

    def _user_id(self, person: Person) -> int | None:
        with self.app.app_context():
            user = find_by_email(person.email)
            return user.id if user else None

    def _mailed_link(self, email: str, pattern: str) -> str | None:
        for message in reversed(self.mailbox.messages):
            if email in message["To"]:
                # The plain part: a café's confirmation carries its .ics beside it.
                found = re.search(pattern, message.get_body(("plain",)).get_content())
                if found:
                    return found.group(0)
        return None

    def _parameterless_pages(self) -> list[str]:
        return [
            rule.rule
            for rule in self.app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/static")
        ]

    def _made_pages(self) -> list[str]:
        """The pages of what people made: each café (its page, report, participants' word and
        list, its animateur's page), each plan, and the links of e-mails and QR codes. Every
        visitor asks for them all: to anyone else they are not found, never an error."""
        with self.app.app_context():
            cafes = db.session.execute(select(Cafe.id, Cafe.animateur_id)).all()
            plans = db.session.scalars(select(CafePlan.id)).all()
        pages = sorted({f"/cafes/animateurs/{animateur}" for _, animateur in cafes})
        for cafe_id, _ in cafes:
            pages.append(f"/cafes/{cafe_id}")
            pages += [f"/mes-cafes/{cafe_id}/{page}" for page in CAFE_PAGES]
        pages += [f"/preparer-mon-cafe/{plan}{page}" for plan in plans for page in PLAN_PAGES]
        return pages + sorted(self.links)

    def _crawl_as(self, client: Visitor, turn: int) -> None:
        """Breadth first from the homes and every parameter-less page, GET only, bounded.

        A route reached by many addresses (twelve statistics exports, each learner's page…) is
        visited a few times per state, in an order that turns with the state: over the steps,
        every address comes up."""
        order = random.Random(turn)
        start = ["/", "/tableau-de-bord", "/formateur", "/admin/", *self._made_pages()]
        start += [f"/cohortes/rejoindre/{cohort['code']}" for cohort in self.cohorts]
        everywhere = self._parameterless_pages()
        order.shuffle(everywhere)  # after what people made; the bound may leave out a few
        queue, seen, per_route = deque(start + everywhere), set(), Counter()
        while queue and len(seen) < MAX_PAGES_PER_VISITOR:
            url = queue.popleft()
            path = urlsplit(url).path
            route = _endpoint(self.app, path)
            if url in seen or RECORDING.match(path) or per_route[route] >= MAX_VISITS_PER_ROUTE:
                continue
            if route in DRAWN and (id(client), url) in self.drawn:
                continue
            self.drawn.add((id(client), url))
            seen.add(url)
            per_route[route] += 1
            response = client.get(url)  # Visitor asserts: no 5xx
            TALLY.crawled += 1
            if response.mimetype == "text/html":
                links = _links(response.get_data(as_text=True))
                order.shuffle(links)
                queue.extend(links)
            elif response.status_code in (301, 302, 303) and "Location" in response.headers:
                queue.extend(_links(f'href="{html.escape(response.headers["Location"])}"'))

    def crawl(self) -> None:
        visitors = [self.anonymous, self.admin, *(p.client for p in self._learners())]
        for number, client in enumerate(visitors):
            self._crawl_as(client, TALLY.states * len(NAMES) + number)

    @invariant()
    def every_page_answers(self):
        """Run after the start and after every step: the state reached, crawled as everyone."""
        TALLY.states += 1
        self.crawl()


def _profile(first_name: str) -> dict:
    return {
        "first_name": first_name,
        "last_name": "Martin",
        "profile": "conseiller",
        "structure": "Médiathèque de Rennes",
        "commune": "Rennes",
        "departement_code": "35",
    }


def _cafe_form(days: int, capacity: str = "20", declared: bool = False) -> dict:
    """The café form as an animateur fills it in, for a day `days` from today."""
    form = {**CAFE, "day": (date.today() + timedelta(days=days)).isoformat(), "capacity": capacity}
    if declared:
        form["title"] = "Café IA au marché"
    return form


REPORT = {
    "age_60_74": "2",
    "public_seniors": "2",
    "themes": ["regles_usage"],
    "free_themes": "IA et santé",
    "action_paths": ["atelier_pratique"],
    "synthesis": "Beaucoup de questions sur les arnaques.",
    "share_synthesis": "y",
}

PLAN = {
    "title": "Premier café de la médiathèque",
    "audience": "seniors",
    "commune": "Rennes",
    "departement": "35",
    "format": "presentiel",
    "animation": "mallette",
    "capacity": "12",
    "material": ["postits"],
    "suggested": ["confiance"],
    **{f"steps-{n}-intitule": step.label for n, step in enumerate(STANDARD_SEQUENCE)},
    **{f"steps-{n}-minutes": str(step.minutes) for n, step in enumerate(STANDARD_SEQUENCE)},
}

# A scene and a manipulation for the copy of the fixture catalogue this machine reads.
BLOCKS = """

::: scene
id: scene-test
title: Un participant qui ne lâche plus la parole
situation: Quinze minutes après le début, il a déjà parlé six fois.
steps:
  - id: debut
    prompt: Que faites-vous ?
    choices:
      - id: couper
        text: Vous le coupez devant tout le monde.
        verdict: a-eviter
        feedback: Il se vexe et se tait.
        next: apres-coupure
      - id: reformuler
        text: Vous résumez son idée, puis donnez la parole aux autres.
        verdict: juste
        feedback: La parole s'ouvre.
      - id: laisser
        text: Vous le laissez finir.
        verdict: partiel
        feedback: Le café glisse vers un monologue.
        next: apres-coupure
  - id: apres-coupure
    prompt: Comment rattraper la situation ?
    choices:
      - id: excuser
        text: Vous vous excusez et proposez un tour de table.
        verdict: juste
        feedback: La salle se détend.
      - id: continuer
        text: Vous continuez comme si de rien n'était.
        verdict: a-eviter
        feedback: Le silence s'installe.
:::

::: manipulation
id: ordre-crepes
manipulation: recette-crepes
:::
"""


def _catalogue_with_blocks(tree) -> str:
    """The fixture catalogue, copied, with BLOCKS at the end of module two's first lesson."""
    shutil.copytree(FIXTURE_CONTENT, tree)
    lesson = tree / "m2" / "01-lecon-1.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + BLOCKS, encoding="utf-8")
    return str(tree)


LISTING = {
    "display_name": "Animatrice R.",
    "structure": "Médiathèque de Rennes",
    "commune": "Rennes",
    "departement": "35",
    "formats": ["presentiel"],
    "audiences": ["tout_public"],
    "presentation": "Cafés IA le mardi.",
    "contact_mode": "relais",
    "consent": "y",
}


def _get_routes(database_uri) -> set[str]:
    app = create_app(make_config(database_uri))
    return {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods} - {"static", "dsfr"}


def test_no_page_fails_whatever_people_did(database_uri, tmp_path):
    smtp = SmtpServer()
    smtp.controller.start()
    Platform.database_uri, Platform.mailbox = database_uri, smtp
    Platform.content = _catalogue_with_blocks(tmp_path / "contenu")
    started = time.monotonic()
    try:
        run_state_machine_as_test(
            Platform,
            settings=settings(
                # Where a newcomer runs the suite, two walks of up to 20 steps (35 s: each state
                # is crawled as everyone); CI (.ci/run) takes four of up to 30 steps.
                max_examples=int(os.environ.get("STATEFUL_EXAMPLES", 2)),
                stateful_step_count=int(os.environ.get("STATEFUL_STEPS", 20)),
                deadline=None,
                derandomize=True,  # the same walks on every run and in CI
                database=None,
                phases=[Phase.explicit, Phase.generate],  # a failure prints its steps unshrunk
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        smtp.controller.stop()
    print("Actions (POST) :", sum(TALLY.actions.values()), "sur", len(TALLY.actions), "adresses")
    print("Routes GET jamais atteintes :", sorted(_get_routes(database_uri) - set(TALLY.endpoints)))
    print(
        f"\nMachine à états : {TALLY.examples} parcours, {TALLY.states} états visités "
        f"(le départ et l'état après chaque action), {TALLY.crawled} pages parcourues, "
        f"{TALLY.requests} requêtes en tout, {len(TALLY.urls)} adresses GET distinctes, "
        f"{len(TALLY.endpoints)} routes, en {time.monotonic() - started:.0f} s"
    )


def test_an_animateur_and_a_referent_erased_after_a_full_cafe_life(database_uri, tmp_path):
    """The sequence the machine might take long to draw, written out: every new action once,
    then the animateur (cafés, a report, a plan, a note, a territory) and a référent erased;
    every page as everyone after each erasure."""
    smtp = SmtpServer()
    smtp.controller.start()
    Platform.database_uri, Platform.mailbox = database_uri, smtp
    Platform.content = _catalogue_with_blocks(tmp_path / "contenu")
    platform = Platform()
    try:
        platform.a_formateur_opens_a_cohort()
        for block, pick in (("verif-1", 0), ("verif-1", 1), ("verif-2", 3)):
            platform.answer_a_check(1, block, pick)
        for action in ("ecrire", "effacer", "ecrire"):
            platform.reflection_note(1, action)
        platform.play_a_scene(1, ["couper"])
        platform.use_a_manipulation(1, "1,2,3,4,5,6", "verifier")
        platform.announce_cafe(0, 10, "1")
        platform.change_cafe(0, 0, "dupliquer", 20)
        platform.register_for_a_cafe(0, 2, False)
        platform.register_for_a_cafe(0, 3, False)  # on the waiting list
        platform.register_for_a_cafe(0, 2, True)
        platform.time_passes(0, 1)
        platform.write_report(0, 0, "brouillon", "3")
        platform.write_report(0, 0, "envoyer", "14")
        platform.participants_give_feedback(0, 0, 4)
        platform.declare_cafe_held(0, 3)
        platform.prepare_first_cafe(1, True)
        platform.change_cafe(0, 1, "annuler", 2)
        platform.admin_grants_a_territory(0, "region:76")
        platform.admin_grants_a_territory(1, "departement:35")
        platform.moderate_a_cafe(0, 0, "referent", True)
        platform.moderate_a_cafe(0, 1, "admin", True)
        platform.referent_writes(0)
        with platform.app.app_context():
            assert len(platform._cafes()) == 4 and len(platform.links) == 2
        platform.crawl()
        platform.delete_account(1)  # the animateur, référent of Ille-et-Vilaine
        platform.crawl()
        platform.delete_account(0)  # the référent of Occitanie, the cohort's formateur
        platform.crawl()
    finally:
        platform.teardown()
        smtp.controller.stop()
