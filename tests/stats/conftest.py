"""A small France built by hand, whose every figure is known in advance.

Fixture catalogue: modules « module-un » (with its quiz) and « module-deux » (no quiz).

    Bretagne (35), Médiathèque de Rennes, conseiller·ères, signed up on Tuesday 6 January 2026:
      b1–b5  both modules done, certified (valid) 10, 12, 14, 16, 18 days after sign-up;
             b1–b4 listed and visible, b5 listed but hidden; b1 failed the quiz once
      b6     both modules done, certified then revoked, a visible listing (not counted)
      b7     started module-un only
    Île-de-France (75), « =Tiers-lieu Paris » (a formula, to neutralise), signed up 13 January:
      p1     médiateur, both modules done, certified 20 days after sign-up
      p2     médiateur, both modules done, final « animer » at 3: not certified
      p3–p5  médiateur·rices, started; p6 « autre », never started
    Occitanie (31), Mairie de Toulouse: o1, conseiller, signed up 13 January, never started.
    A formateur: started, certified, quiz and readiness answers: never counted.

Cohorts: « Promo Rennes » = b1–b7, « Promo Paris » = p1–p3.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from annuaire.models import Listing
from certificates.models import Certificate, ReadinessAnswer
from cohorts.models import Cohort, CohortMember
from courses.models import ModuleProgress
from lms.departements import departement
from lms.extensions import db
from quizzes.models import QuestionAnswer, QuizAttempt
from tests.helpers import WEEK_1, WEEK_2

MODULES = ("module-un", "module-deux")
QUESTIONS = ("capitale", "pairs", "turc")


@dataclass
class Person:
    name: str
    dep: str
    profile: str
    structure: str
    signed_up: datetime
    modules_done: int = 0  # 0: started only (if started), 1, 2 = every module
    started: bool = True
    certified_after: int | None = None  # days
    revoked: bool = False
    listing: bool | None = None  # None: no listing; else its visibility
    initial: list[int] = field(default_factory=list)  # « animer » answers, in order
    final: int | None = None
    attempts: list[set[str]] = field(default_factory=list)  # wrong questions, per attempt
    role: str = "apprenant"


def people() -> list[Person]:
    rennes = dict(dep="35", profile="conseiller", structure="Médiathèque de Rennes")
    paris = dict(dep="75", profile="mediateur", structure="=Tiers-lieu Paris")
    done = dict(modules_done=2, final=5)
    return [
        Person("b1", signed_up=WEEK_1, certified_after=10, listing=True, initial=[1, 4],
               attempts=[{"pairs", "turc"}, {"turc"}], **rennes, **done),
        Person("b2", signed_up=WEEK_1, certified_after=12, listing=True, initial=[4],
               attempts=[{"pairs", "turc"}], **rennes, **done),
        Person("b3", signed_up=WEEK_1, certified_after=14, listing=True, initial=[4],
               attempts=[{"turc"}], **rennes, **done),
        Person("b4", signed_up=WEEK_1, certified_after=16, listing=True, initial=[4],
               attempts=[{"turc"}], **rennes, **done),
        Person("b5", signed_up=WEEK_1, certified_after=18, listing=False, initial=[4],
               attempts=[set()], **rennes, **done),
        Person("b6", signed_up=WEEK_1, certified_after=9, revoked=True, listing=True,
               initial=[2], attempts=[set()], **{**rennes, **done, "final": 4}),
        Person("b7", signed_up=WEEK_1, initial=[2], **rennes),
        Person("p1", signed_up=WEEK_2, certified_after=20, initial=[3], final=4,
               modules_done=2, attempts=[set()], **paris),
        Person("p2", signed_up=WEEK_2, initial=[3], final=3, modules_done=2,
               attempts=[set()], **paris),
        Person("p3", signed_up=WEEK_2, initial=[3], **paris),
        Person("p4", signed_up=WEEK_2, initial=[3], **paris),
        Person("p5", signed_up=WEEK_2, initial=[3], **paris),
        Person("p6", signed_up=WEEK_2, started=False, **{**paris, "profile": "autre"}),
        Person("o1", dep="31", profile="conseiller", structure="Mairie de Toulouse",
               signed_up=WEEK_2, started=False),
        Person("f1", dep="35", profile="autre", structure="Hub", signed_up=WEEK_1, role="formateur",
               certified_after=1, listing=True, initial=[1], final=1, modules_done=2,
               attempts=[set(QUESTIONS)]),
    ]  # fmt: skip


class Builder:
    """Rows inserted directly: each fact of a Person, with its date."""

    def __init__(self, create_user):
        self.create_user, self.users = create_user, {}

    def add(self, person: Person):
        user = self.create_user(
            role=person.role,
            email=f"{person.name}@exemple.fr",
            last_name=f"Secret-{person.name}",
            profile=person.profile,
            structure=person.structure,
            departement_code=person.dep,
        )
        user.created_at = person.signed_up
        self.users[person.name] = user
        self._progress(user, person)
        self._quiz(user, person)
        self._readiness(user, person)
        self._status(user, person)
        return user

    def _progress(self, user, person: Person) -> None:
        if not person.started:
            return
        for i, slug in enumerate(MODULES[: max(person.modules_done, 1)]):
            done = person.signed_up + timedelta(days=i + 1) if i < person.modules_done else None
            db.session.add(ModuleProgress(user_id=user.id, module_slug=slug, completed_at=done))

    def _quiz(self, user, person: Person) -> None:
        for n, wrong in enumerate(person.attempts):
            at = person.signed_up + timedelta(hours=n + 1)
            attempt = QuizAttempt(
                user_id=user.id, module_slug="module-un", layout={}, answers={},
                score=100 - 30 * len(wrong), passed=n == len(person.attempts) - 1,
                started_at=at, submitted_at=at,
            )  # fmt: skip
            db.session.add(attempt)
            db.session.flush()
            for question in QUESTIONS:
                right = question not in wrong
                db.session.add(
                    QuestionAnswer(
                        attempt_id=attempt.id, module_slug="module-un", question_id=question,
                        score=1.0 if right else 0.0, correct=right,
                    )
                )  # fmt: skip

    def _readiness(self, user, person: Person) -> None:
        answers = [("initial", v, n) for n, v in enumerate(person.initial)]
        if person.final is not None:
            answers.append(("final", person.final, 5))
        for phase, value, n in answers:
            at = person.signed_up + timedelta(minutes=n)
            db.session.add(
                ReadinessAnswer(
                    user_id=user.id, phase=phase, statement_id="animer", value=value, answered_at=at
                )
            )

    def _status(self, user, person: Person) -> None:
        if person.certified_after is None:
            return
        issued = person.signed_up + timedelta(days=person.certified_after)
        db.session.add(
            Certificate(
                user_id=user.id,
                code=f"code-{person.name}",
                issued_at=issued,
                revoked_at=issued + timedelta(days=1) if person.revoked else None,
            )
        )
        if person.listing is not None:
            dep = departement(person.dep)
            db.session.add(
                Listing(
                    user_id=user.id, display_name=person.name, structure=person.structure,
                    commune="Commune", departement_code=person.dep, region=dep.region,
                    formats=["presentiel"], audiences=["tout_public"], visible=person.listing,
                )
            )  # fmt: skip

    def cohort(self, name: str, members: list[str]) -> Cohort:
        cohort = Cohort(name=name, invite_code=f"code-{name}")
        db.session.add(cohort)
        db.session.flush()
        for member in members:
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=self.users[member].id))
        return cohort


@pytest.fixture
def france(app, create_user):
    """The hand-built dataset; returns its builder (users by name, cohorts)."""
    builder = Builder(create_user)
    for person in people():
        builder.add(person)
    builder.rennes = builder.cohort("Promo Rennes", [f"b{i}" for i in range(1, 8)])
    builder.paris = builder.cohort("Promo Paris", ["p1", "p2", "p3"])
    db.session.commit()
    return builder


@pytest.fixture
def admin_client(client, login_as):
    login_as("admin", email="admin@exemple.fr", departement_code="75")
    return client
