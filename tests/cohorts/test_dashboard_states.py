"""The cohort pages over states that ordinary use leaves behind, not only hand-built ones.

Found by tests/test_stateful.py: a learner who opens a quiz and leaves has an attempt with no
score, and the dashboard (formateur's and admin's), its exports and the learner's page must
show it as « no score yet », not fail.
"""

import pytest

from cohorts import services
from lms.extensions import db
from quizzes.demo import right_answers
from quizzes.models import QuizAttempt
from tests.conftest import PASSWORD
from tests.helpers import french_decimal, read_people_csv

QUIZ = "/modules/module-un/quiz"


@pytest.fixture
def trainer(create_user):
    return create_user(role="formateur")


@pytest.fixture
def cohort(trainer):
    return services.create(trainer, name="Finistère automne")


def join(client, auth, cohort, learner):
    auth.login(learner.email)
    client.submit(f"/cohortes/rejoindre/{cohort.invite_code}")


def answer_right(client, app):
    page = client.get(QUIZ).get_data(as_text=True)
    attempt = page.split('name="attempt" value="', 1)[1].split('"', 1)[0]
    form = right_answers(app.extensions["quizzes"]["module-un"], attempt)
    form.add("attempt", attempt)
    form.add("csrf_token", client.csrf_token())
    assert client.post(QUIZ, data=form).status_code == 302


def dashboard_pages(cohort) -> list[str]:
    base = f"/formateur/cohortes/{cohort.id}"
    return [base, f"{base}?tri=progression&ordre=desc", f"{base}/export.csv", f"{base}/export.xlsx"]


@pytest.mark.parametrize("draft", [False, True], ids=["ouvert", "enregistre-pour-plus-tard"])
@pytest.mark.parametrize("viewer", ["formateur", "admin"])
def test_a_quiz_opened_and_left_leaves_the_dashboard_up(
    app, client, auth, create_user, trainer, cohort, viewer, draft
):
    learner = create_user()
    join(client, auth, cohort, learner)
    page = client.get(QUIZ)
    assert page.status_code == 200  # the attempt is opened, then left
    if draft:  # with some answers saved to finish later
        attempt = page.text.split('name="attempt" value="', 1)[1].split('"', 1)[0]
        first, *_ = answers = right_answers(app.extensions["quizzes"]["module-un"], attempt)
        saved = {"attempt": attempt, "action": "plus-tard", first: answers.getlist(first)}
        assert client.submit(QUIZ, saved).status_code == 302
    assert db.session.scalar(db.select(QuizAttempt.score)) is None
    auth.logout()
    auth.login(trainer.email if viewer == "formateur" else create_user(role="admin").email)

    for page in dashboard_pages(cohort):
        assert client.get(page).status_code == 200, page
    assert "quiz :" not in client.get(dashboard_pages(cohort)[0]).get_data(as_text=True)
    rows = read_people_csv(client.get(dashboard_pages(cohort)[2]))
    assert rows[0]["quiz_1"] == ""
    learner_page = client.get(f"/formateur/cohortes/{cohort.id}/apprenants/{learner.id}")
    assert learner_page.status_code == 200 and "Aucune tentative." in learner_page.text


def test_the_best_score_ignores_an_attempt_opened_after_a_graded_one(
    app, client, auth, create_user, trainer, cohort
):
    learner = create_user()
    join(client, auth, cohort, learner)
    answer_right(client, app)
    client.get(QUIZ)  # a new attempt, left open
    auth.logout()
    auth.login(trainer.email, PASSWORD)

    page = client.get(f"/formateur/cohortes/{cohort.id}")
    assert page.status_code == 200 and "quiz : 100\u00a0%" in page.text
    rows = read_people_csv(client.get(dashboard_pages(cohort)[2]))
    assert french_decimal(rows[0]["quiz_1"]) == 100.0
