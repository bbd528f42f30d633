"""Synthetic learners, for the demo and the national benchmark.

Each learner is simulated from their own seed (the same index always gives the same person),
module after module: lessons, quiz attempts until they pass or give up, readiness before and
after, then the status and, for some, a listing. The rows obey the platform's rules: a module is
completed only when its lessons are and its quiz is passed; a certificate needs every module and
a final « animer » of 4 or 5. Every event gets its xAPI statement, already delivered.

Rows come out as tuples in COLUMNS order, in batches, so a loader can COPY or executemany them.
"""

import hashlib
import json
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from lms.departements import all_departements
from lms.xapi.vocabulary import VERBS

COLUMNS = {
    "users": (
        "id email password_hash first_name last_name profile structure commune "
        "departement_code role pseudonym registration created_at"
    ),
    "cohorts": "id name description territory departement_code invite_code created_at",
    "cohort_members": "id cohort_id user_id source joined_at",
    "module_progress": "id user_id module_slug launched_at completed_at",
    "lesson_progress": "id user_id module_slug lesson_slug started_at last_seen_at completed_at",
    "quiz_attempts": "id user_id module_slug layout answers score passed started_at submitted_at",
    "quiz_answers": "id attempt_id module_slug question_id score correct",
    "readiness_answers": "id user_id phase statement_id value answered_at",
    "certificates": "id user_id code issued_at revoked_at revocation_reason",
    "status_changes": "id user_id status by_id reason at",
    "annuaire_listings": (
        "id user_id display_name structure commune departement_code region formats audiences "
        "presentation contact_mode public_email public_phone visible consented_at updated_at"
    ),
    "xapi_statements": (
        "id user_id verb object_id registration stored payload delivery attempts "
        "next_attempt_at claim claimed_until delivered_at last_error"
    ),
}
COLUMNS = {table: tuple(columns.split()) for table, columns in COLUMNS.items()}
# Parents before children: the order to insert in.
TABLES = tuple(COLUMNS)

PROFILES = ("conseiller", "mediateur", "autre")
PROFILE_WEIGHTS = (45, 45, 10)
KINDS = ("Médiathèque", "France services", "Centre social", "Mairie", "Association", "Tiers-lieu")
INITIAL_WEIGHTS = (15, 30, 30, 18, 7)  # answers 1 to 5 before the training
FINAL_WEIGHTS = (2, 5, 13, 40, 40)  # and after it
EMAIL_DOMAIN = "stats.exemple.fr"  # what tests/test_cli.py leaves out of its count
UNUSABLE_PASSWORD = "!"  # no hash matches it: synthetic people cannot log in
VERB_JSON = {
    name: (iri, json.dumps({"id": iri, "display": {"fr-FR": fr}}, ensure_ascii=False))
    for name, (iri, fr, _) in VERBS.items()
}


@dataclass(frozen=True)
class Course:
    """What the simulation needs to know of the training: read from the running app."""

    modules: tuple[tuple[str, tuple[str, ...]], ...]  # (slug, lesson slugs)
    questions: dict[str, tuple[str, ...]]  # module slug -> question ids
    statements: tuple[str, ...]  # readiness statement ids
    key_statement: str
    pass_mark: float = 80
    threshold: int = 4
    base_url: str = "http://127.0.0.1:5000"


def course_of_app(app) -> Course:
    from certificates.readiness import readiness
    from courses.progress import catalogue
    from quizzes.services import quizzes

    with app.app_context():
        quiz_banks = quizzes()
        return Course(
            modules=tuple(
                (m.slug, tuple(lesson.slug for lesson in m.lessons)) for m in catalogue().modules
            ),
            questions={
                slug: tuple(q.id for q in quiz.questions) for slug, quiz in quiz_banks.items()
            },
            statements=tuple(readiness().statements),
            key_statement=readiness().key_statement,
            pass_mark=app.config["QUIZ_PASS_MARK"],
            threshold=app.config["READINESS_THRESHOLD"],
            base_url=app.config["BASE_URL"],
        )


@dataclass
class Ids:
    """The next id of each table: rows are inserted with their ids, so children can point to them."""

    next: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 1))

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


def next_ids(session) -> Ids:
    """Ids after the last row of each table (statements have random string ids)."""
    ids = Ids()
    for table in TABLES:
        if table != "xapi_statements":
            last = session.scalar(text(f"SELECT max(id) FROM {table}"))
            ids.next[table] = (last or 0) + 1
    return ids


def sync_sequences(session) -> None:
    """PostgreSQL: the id sequences continue after the ids written here, not into them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        if table != "xapi_statements":
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 1))"
                )
            )


def stable_random(*key) -> random.Random:
    """A generator seeded by the key alone: the same learner index gives the same person."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest))


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


class Synthesis:
    """Learners `index` = 0, 1, 2… over `weeks` weeks up to `now`, in `cohorts` cohorts."""

    def __init__(self, course: Course, now: datetime, weeks: int, seed: str = "cafeia"):
        self.course, self.now, self.seed = course, now, seed
        self.start = now - timedelta(weeks=weeks)
        self.span = (now - self.start).total_seconds()
        rng = stable_random(seed, "france")
        self.departements = list(all_departements().values())
        # Uneven départements, as in life: some count a hundred times more people than others.
        self.weights = [rng.uniform(1, 10) ** 2 for _ in self.departements]
        self.easiness = {
            q: stable_random(seed, "question", q).uniform(0.6, 0.97)
            for qs in course.questions.values()
            for q in qs
        }
        self.layouts = {slug: {q: [] for q in qs} for slug, qs in course.questions.items()}
        self.cohorts: list[tuple[int, str]] = []  # (id, département code)

    # --- cohorts ------------------------------------------------------------------------------

    def add_cohorts(self, ids: Ids, first: int, last: int, rows: dict) -> None:
        """Cohorts number `first` to `last - 1`: each in a département, named after it."""
        for number in range(first, last):
            rng = stable_random(self.seed, "cohort", number)
            dep = rng.choices(self.departements, self.weights)[0]
            cohort_id = ids.take("cohorts")
            created = self.start + timedelta(seconds=self.span * rng.random() * 0.8)
            rows["cohorts"].append(
                (
                    cohort_id,
                    f"Promotion {dep.nom} n° {number + 1}",
                    "Cohorte de démonstration (données synthétiques).",
                    dep.nom,
                    dep.code,
                    f"synthetique-{self.seed}-{number}-{rng.getrandbits(64):016x}",
                    created,
                )
            )
            self.cohorts.append((cohort_id, dep.code))

    # --- learners -----------------------------------------------------------------------------

    def learners(self, ids: Ids, first: int, last: int, batch: int = 1000):
        """Yield {table: rows} for learners `first` to `last - 1`, `batch` learners at a time."""
        for start in range(first, last, batch):
            rows = {table: [] for table in TABLES}
            for index in range(start, min(start + batch, last)):
                Learner(self, ids, rows, index).simulate()
            yield rows


class Learner:
    """One synthetic person, from sign-up to (maybe) the annuaire."""

    def __init__(self, synthesis: Synthesis, ids: Ids, rows: dict, index: int):
        self.s, self.ids, self.rows, self.index = synthesis, ids, rows, index
        self.rng = stable_random(synthesis.seed, "learner", index)
        self.id = ids.take("users")
        # Sign-ups grow over time: the square root puts more of them near the end.
        offset = synthesis.span * math.sqrt(self.rng.random())
        self.t = self.created = synthesis.start + timedelta(seconds=offset)
        self.pseudonym = f"{self.rng.getrandbits(128):032x}"
        self.registration = _uuid(self.rng)

    def simulate(self) -> None:
        rng = self.rng
        self.dep = rng.choices(self.s.departements, self.s.weights)[0]
        self._user()
        self._cohort()
        self.ability = rng.uniform(0.55, 0.95)
        if rng.random() < 0.8:
            self._readiness("initial", INITIAL_WEIGHTS, again=rng.random() < 0.1)
        if rng.random() < 0.12:
            return  # signed up, never opened a lesson
        if all(self._module(slug, lessons) for slug, lessons in self.s.course.modules):
            self._finish()

    def later(self, low: float, high: float) -> bool:
        """Move the clock on by `low` to `high` minutes; False once it reaches today."""
        self.t = min(self.t + timedelta(minutes=self.rng.uniform(low, high)), self.s.now)
        return self.t < self.s.now

    def _user(self) -> None:
        rng, dep, n = self.rng, self.dep, self.index + 1
        place = rng.randint(1, 12)
        self.commune = f"Commune fictive {place} ({dep.nom})"
        self.structure = f"{rng.choice(KINDS)} {dep.nom} {rng.randint(1, 6)}"
        self.first_name, self.last_name = "Personne", f"Fictive {n}"
        self.add(
            "users",
            self.id,
            f"synthetique-{self.s.seed}-{n}@{EMAIL_DOMAIN}",
            UNUSABLE_PASSWORD,
            self.first_name,
            self.last_name,
            rng.choices(PROFILES, PROFILE_WEIGHTS)[0],
            self.structure,
            self.commune,
            dep.code,
            "apprenant",
            self.pseudonym,
            self.registration,
            self.created,
        )
        self.statement("registered", "")

    def _cohort(self) -> None:
        cohorts = self.s.cohorts
        if not cohorts or self.rng.random() > 0.7:
            return
        near = [c for c in cohorts if c[1] == self.dep.code] or cohorts
        cohort_id = self.rng.choice(near)[0]
        self.add(
            "cohort_members", self.ids.take("cohort_members"), cohort_id, self.id, "lien", self.t
        )

    def _readiness(self, phase: str, weights, again: bool = False, key_value=None) -> None:
        """One answer per statement; `again`: an earlier, different answer that no longer counts."""
        for repeat in (True, False) if again else (False,):
            self.later(1, 5)
            for statement in self.s.course.statements:
                value = self.rng.choices((1, 2, 3, 4, 5), weights)[0]
                if statement == self.s.course.key_statement and key_value and not repeat:
                    value = key_value
                self.add(
                    "readiness_answers",
                    self.ids.take("readiness_answers"),
                    self.id,
                    phase,
                    statement,
                    value,
                    self.t,
                )
                self.statement("answered", f"positionnement/{statement}")

    def _module(self, slug: str, lessons: tuple[str, ...]) -> bool:
        """Follow one module; True if it ends completed."""
        if not self.later(60, 60 * 24 * 12):
            return False
        progress_id = self.ids.take("module_progress")
        launched = self.t
        self.statement("launched", f"modules/{slug}")
        done = all(self._lesson(slug, lesson) for lesson in lessons)
        passed = done and self._quiz(slug)
        completed = self.t if passed else None
        if passed:
            self.statement("completed", f"modules/{slug}")
        self.add("module_progress", progress_id, self.id, slug, launched, completed)
        return passed

    def _lesson(self, slug: str, lesson: str) -> bool:
        """Open a lesson (once or more); complete it, or stop here."""
        if not self.later(5, 60 * 24):
            return False
        started = self.t
        for _ in range(self.rng.choice((1, 1, 2, 3))):
            self.statement("experienced", f"modules/{slug}/lecons/{lesson}")
        finished = self.rng.random() < 0.93 + 0.05 * self.ability and self.later(5, 25)
        if finished:
            self.statement("completed", f"modules/{slug}/lecons/{lesson}")
        completed = self.t if finished else None
        self.add(
            "lesson_progress",
            self.ids.take("lesson_progress"),
            self.id,
            slug,
            lesson,
            started,
            self.t,
            completed,
        )
        return finished

    def _quiz(self, slug: str) -> bool:
        """Attempts until one passes; some give up after a failure or two."""
        questions = self.s.course.questions.get(slug)
        if not questions:
            return True
        for attempt in range(3):
            if not self.later(2, 30) or (attempt and self.rng.random() < 0.25):
                return False
            if self._attempt(slug, questions, self.ability + 0.12 * attempt):
                return True
        return False

    def _attempt(self, slug: str, questions: tuple[str, ...], ability: float) -> bool:
        attempt_id, started = self.ids.take("quiz_attempts"), self.t
        self.statement("attempted", f"modules/{slug}/quiz")
        self.later(3, 20)
        right = 0
        for question in questions:
            correct = self.rng.random() < self.s.easiness[question] + ability - 0.7
            right += correct
            self.add(
                "quiz_answers",
                self.ids.take("quiz_answers"),
                attempt_id,
                slug,
                question,
                1.0 if correct else 0.0,
                correct,
            )
            self.statement("answered", f"modules/{slug}/quiz/{question}")
        score = round(100 * right / len(questions), 1)
        passed = score >= self.s.course.pass_mark
        self.statement("passed" if passed else "failed", f"modules/{slug}/quiz")
        self.add(
            "quiz_attempts",
            attempt_id,
            self.id,
            slug,
            self.s.layouts[slug],
            {},
            score,
            passed,
            started,
            self.t,
        )
        return passed

    def _finish(self) -> None:
        """Every module done: the final readiness, and the status if « animer » is 4 or 5."""
        if self.rng.random() > 0.9 or not self.later(5, 60 * 24 * 3):
            return
        ready = self.rng.random() < 0.85
        key = self.rng.choice((4, 5)) if ready else self.rng.choice((2, 3))
        self._readiness("final", FINAL_WEIGHTS, key_value=key)
        if key < self.s.course.threshold:
            return
        revoked = self.t + timedelta(days=30) if self.rng.random() < 0.02 else None
        if revoked and revoked > self.s.now:
            revoked = None
        code = f"{self.rng.getrandbits(192):048x}"
        reason = "Données de démonstration : statut révoqué." if revoked else None
        self.add(
            "certificates", self.ids.take("certificates"), self.id, code, self.t, revoked, reason
        )
        self.add(
            "status_changes",
            self.ids.take("status_changes"),
            self.id,
            "certifie",
            None,
            None,
            self.t,
        )
        self.statement("earned", "statut-animateur")
        if revoked:
            self.add(
                "status_changes",
                self.ids.take("status_changes"),
                self.id,
                "revoque",
                None,
                reason,
                revoked,
            )
        elif self.rng.random() < 0.4:
            self._listing()

    def _listing(self) -> None:
        dep = self.dep
        self.add(
            "annuaire_listings",
            self.ids.take("annuaire_listings"),
            self.id,
            f"{self.first_name} {self.last_name}",
            self.structure,
            self.commune,
            dep.code,
            dep.region,
            self.rng.choice((["presentiel"], ["presentiel", "en_ligne"], ["en_ligne"])),
            ["tout_public"],
            "Fiche de démonstration (données synthétiques).",
            "relais",
            None,
            None,
            self.rng.random() < 0.92,
            self.t,
            self.t,
        )

    # --- rows ---------------------------------------------------------------------------------

    def add(self, table: str, *values) -> None:
        self.rows[table].append(values)

    def statement(self, verb: str, path: str) -> None:
        """The xAPI statement of an event, as the platform would have stored and delivered it."""
        iri, verb_json = VERB_JSON[verb]
        base = self.s.course.base_url
        object_id = f"{base}/formation/{path}" if path else f"{base}/formation"
        statement_id = _uuid(self.rng)
        # Formatted by hand: json.dumps would cost more than the rest of the simulation.
        payload = (
            f'{{"id":"{statement_id}","actor":{{"objectType":"Agent","account":'
            f'{{"homePage":"{base}","name":"{self.pseudonym}"}}}},"verb":{verb_json},'
            f'"object":{{"objectType":"Activity","id":"{object_id}"}},"context":'
            f'{{"registration":"{self.registration}","platform":"Café IA Formation"}},'
            f'"timestamp":"{self.t.isoformat()}","version":"1.0.3"}}'
        )
        self.add(
            "xapi_statements",
            statement_id,
            self.id,
            iri,
            object_id,
            self.registration,
            self.t,
            payload,
            "delivered",
            1,
            self.t,
            None,
            None,
            self.t,
            None,
        )


def utc_now() -> datetime:
    return datetime.now(UTC)
