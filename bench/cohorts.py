"""The cohort dashboard: the page for 200 learners against the same page for 20."""

import random
import time
import uuid

from cohorts import services
from cohorts.models import CohortMember
from courses import progress
from courses.models import LessonProgress, ModuleProgress
from lms.extensions import db
from quizzes.models import QuizAttempt

from .accounts import PASSWORD, bench_account

REPEAT = 20


def _cohort_of(size: int, trainer):
    """A cohort whose learners stand at random points of the course (rows inserted directly)."""
    cohort = services.create(trainer, name=f"Banc {size}")
    modules = progress.catalogue().modules
    for i in range(size):
        person = bench_account(f"banc-{uuid.uuid4().hex[:10]}@exemple.fr", last_name=f"Essai {i}")
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=person.id))
        for module in modules[: random.randint(0, len(modules))]:
            for lesson in module.lessons:
                db.session.add(
                    LessonProgress(
                        user_id=person.id,
                        module_slug=module.slug,
                        lesson_slug=lesson.slug,
                        completed_at=db.func.now(),
                    )
                )
            db.session.add(ModuleProgress(user_id=person.id, module_slug=module.slug))
            db.session.add(
                QuizAttempt(
                    user_id=person.id,
                    module_slug=module.slug,
                    layout={},
                    score=random.choice([60.0, 90.0]),
                    passed=True,
                )
            )
    db.session.commit()
    return cohort


def _milliseconds(client, cohort) -> float:
    client.get(f"/formateur/cohortes/{cohort.id}")  # warm up
    started = time.perf_counter()
    for _ in range(REPEAT):
        assert client.get(f"/formateur/cohortes/{cohort.id}").status_code == 200
    return (time.perf_counter() - started) / REPEAT * 1000


def bench_cohort_dashboard(app):
    email = f"formateur-{uuid.uuid4().hex[:6]}@exemple.fr"
    trainer = bench_account(email, role="formateur")
    small, large = _cohort_of(20, trainer), _cohort_of(200, trainer)
    client = app.test_client()
    client.post("/connexion", data={"email": email, "password": PASSWORD})
    return (
        "tableau de bord d'une cohorte de 200 apprenants",
        _milliseconds(client, large),
        "le même pour 20 apprenants",
        _milliseconds(client, small),
        "ms",
    )
