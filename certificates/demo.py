"""Demo: a certified animatrice, and a readiness start for the demo learner."""

from courses import progress
from lms.accounts.services import create_user
from lms.demo import DEMO_PASSWORD
from quizzes import services as quizzes
from quizzes.demo import right_answers

from . import readiness, status

ANIMATRICE = dict(
    email="animatrice@exemple.fr",
    role="apprenant",
    first_name="Léa",
    last_name="Moreau",
    profile="mediateur",
    structure="Centre social Les Minimes",
    commune="Toulouse",
    departement_code="31",
)


def _answers(level: int) -> dict[str, int]:
    return {statement_id: level for statement_id in readiness.readiness().statements}


def learner_readiness(find_user) -> None:
    learner = find_user("apprenant@exemple.fr")
    if not readiness.latest(learner)[readiness.INITIAL]:
        readiness.save(learner, readiness.INITIAL, _answers(2))


def certified_animatrice(find_user) -> None:
    certify(find_user(ANIMATRICE["email"]) or create_user(password=DEMO_PASSWORD, **ANIMATRICE))


def complete_course(person) -> None:
    """Every lesson done and every quiz passed at the first attempt."""
    for module in progress.catalogue().modules:
        for lesson in module.lessons:
            progress.complete_lesson(person, module, lesson)
        quiz = quizzes.quizzes().get(module.slug)
        if quiz:
            quizzes.submit(person, quiz, quizzes.current_attempt(person, quiz), right_answers(quiz))


def certify(person) -> None:
    """The whole course, as a person would follow it, up to the status (idempotent)."""
    if status.certificate_of(person):
        return
    readiness.save(person, readiness.INITIAL, _answers(2))
    complete_course(person)
    readiness.save(person, readiness.FINAL, _answers(5))
    status.grant_if_eligible(person)
