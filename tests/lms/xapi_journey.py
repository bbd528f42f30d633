"""A learner's whole journey through the pages, so that the platform writes every kind of
statement it has: the xAPI read API and conformance tests read them back."""

import re
from datetime import timedelta

from sqlalchemy import select

from certificates import readiness
from cohorts import services as cohorts
from courses import progress
from lms.extensions import db
from lms.models import User
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import VERBS
from quizzes import services as quizzes
from quizzes.demo import half_right_answers, right_answers
from tests.helpers import VALID

XAPI = {"X-Experience-API-Version": "1.0.3"}
CREDENTIALS = {"XAPI_READ_USERNAME": "entrepot", "XAPI_READ_PASSWORD": "secret-de-lecture"}
ATTEMPT = re.compile(r'name="attempt" value="([^"]+)"')


def readiness_form(level: int) -> dict:
    return {f"r-{s}": str(level) for s in readiness.readiness().statements}


def answer_quiz(client, slug: str, answers) -> None:
    """Open the quiz page (the attempt it draws), send `answers(quiz, attempt)`."""
    quiz = quizzes.quizzes()[slug]
    attempt = ATTEMPT.search(client.get(f"/modules/{slug}/quiz").get_data(as_text=True))[1]
    form = answers(quiz, attempt)
    client.submit(f"/modules/{slug}/quiz", {"attempt": attempt, **form.to_dict(flat=False)})


def journey(app, client, auth, create_user) -> User:
    """Sign up through a cohort's link, position oneself, fail a quiz then pass it, finish
    every module, be validated by a trainer, certified, revoked (« voided »), restored."""
    app.config["REQUIRE_TRAINER_VALIDATION"] = True  # a trainer's « passed » too
    trainer = create_user(role="formateur")
    cohort = cohorts.create(trainer, name="Morbihan printemps", territory="Morbihan")
    link = f"/cohortes/rejoindre/{cohort.invite_code}"
    client.submit(f"/inscription?next={link}", VALID)
    client.submit(link)
    learner = db.session.scalar(select(User).where(User.email == VALID["email"].lower()))
    client.submit("/positionnement", readiness_form(2))
    failed_once = False
    for module in progress.catalogue().modules:
        for lesson in module.lessons:
            client.get(f"/modules/{module.slug}/{lesson.slug}")
            client.submit(f"/modules/{module.slug}/{lesson.slug}/terminer")
        if module.slug in quizzes.quizzes():
            if not failed_once:
                answer_quiz(client, module.slug, half_right_answers)
                failed_once = True
            answer_quiz(client, module.slug, right_answers)
    client.submit("/positionnement", readiness_form(5))
    admin = create_user(role="admin")
    auth.logout()
    auth.login(admin.email)
    person = f"/admin/animateurs/{learner.id}"
    client.submit(person + "/valider")
    client.submit(person + "/revoquer", {"reason": "Usage commercial du titre"})
    client.submit(person + "/retablir", {"reason": "Malentendu éclairci"})
    auth.logout()
    announce_cancel_and_hold_cafes(client, auth, learner)
    db.session.expire_all()
    return learner


def announce_cancel_and_hold_cafes(client, auth, animateur) -> None:
    """The certified animateur announces two cafés, cancels one, and the other is held."""
    from cafes import services as cafes
    from tests.cafes.helpers import CAFE

    auth.login(animateur.email, VALID["password"])
    for title in ("Café annulé", "Café tenu"):
        client.submit("/mes-cafes/nouveau", {**CAFE, "title": title})
    cancelled, held = cafes.own_cafes(animateur)[-2:]
    client.submit(f"/mes-cafes/{cancelled.id}/annuler")
    cafes.record_held(held.day + timedelta(days=1))
    auth.logout()


def rows_of(user) -> list[StoredStatement]:
    return db.session.scalars(
        select(StoredStatement)
        .where(StoredStatement.user_id == user.id)
        .order_by(StoredStatement.stored, StoredStatement.id)
    ).all()


def verb_name(row: StoredStatement) -> str:
    return next(name for name, (iri, _, _) in VERBS.items() if iri == row.verb)
