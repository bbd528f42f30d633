"""Taking a quiz over HTTP: attempts, shuffling, grading, results, statements, completion."""

import json
import re

import pytest
from sqlalchemy import func, select

from courses.models import ModuleProgress
from lms.extensions import db
from lms.xapi.models import StoredStatement
from quizzes.models import QuestionAnswer, QuizAttempt
from quizzes.services import question_stats
from tests.quizzes.test_grading import RIGHT

WRONG = {**RIGHT, "q-capitale": "lyon", "q-pairs": ["deux"], "q-turc": "faux"}


def attempt_id(client) -> str:
    page = client.get("/modules/module-un/quiz").get_data(as_text=True)
    return re.search(r'name="attempt" value="(\d+)"', page).group(1)


def hand_in(client, answers, attempt=None):
    return client.submit(
        "/modules/module-un/quiz", {"attempt": attempt or attempt_id(client), **answers}
    )


def statements(user, verb) -> list[dict]:
    rows = db.session.scalars(
        select(StoredStatement.payload)
        .where(StoredStatement.user_id == user.id, StoredStatement.verb.endswith(verb))
        .order_by(StoredStatement.stored)
    )
    return [json.loads(r) for r in rows]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_quiz_needs_a_login(client):
    assert client.get("/modules/module-un/quiz").status_code == 302


def test_each_question_is_a_fieldset_with_a_legend(client, login_as):
    login_as()
    page = client.get("/modules/module-un/quiz").get_data(as_text=True)
    assert page.count('<fieldset class="fr-fieldset') == 5 and page.count("<legend") == 5
    assert 'name="q-crepes.melanger"' in page and "1re place" in page
    assert 'name="q-partage.secu"' in page and "Je ne partage pas" in page


def test_choices_are_shuffled_per_attempt_and_kept(client, login_as):
    login_as()
    first = attempt_id(client)
    assert attempt_id(client) == first  # reloading keeps the attempt and its order
    attempt = db.session.get(QuizAttempt, int(first))
    assert set(attempt.layout["crepes"]) == {"melanger", "lait", "reposer", "cuire"}
    assert "turc" in attempt.layout and attempt.layout["turc"] == []
    page = client.get("/modules/module-un/quiz").get_data(as_text=True)
    shown = re.findall(r'id="q-crepes\.(\w+)"', page)
    assert shown == attempt.layout["crepes"]
    layouts = set()
    for _ in range(12):
        hand_in(client, RIGHT)
        layouts.add(
            tuple(
                db.session.scalars(
                    select(QuizAttempt.layout).order_by(QuizAttempt.id.desc())
                ).first()["crepes"]
            )
        )
    assert len(layouts) > 1  # 12 draws of 24 orders: never all the same


def test_a_pass_is_graded_explained_and_recorded(client, login_as):
    user = login_as()
    response = hand_in(client, RIGHT)
    assert response.status_code == 302 and "/quiz/tentatives/" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "Quiz réussi" in page and "100.0 %" in page and "Paris est la capitale." in page
    (attempted,) = statements(user, "attempted")
    assert attempted["object"]["id"] == "http://cafeia.test/formation/modules/module-un/quiz"
    answered = statements(user, "answered")
    assert len(answered) == 5
    by_type = {s["object"]["definition"]["interactionType"]: s for s in answered}
    assert set(by_type) == {"choice", "true-false", "sequencing", "matching"}
    sequencing = by_type["sequencing"]
    assert sequencing["object"]["definition"]["correctResponsesPattern"] == [
        "melanger[,]lait[,]reposer[,]cuire"
    ]
    assert sequencing["result"]["response"] == "melanger[,]lait[,]reposer[,]cuire"
    assert by_type["matching"]["result"]["response"] == "recette[.]oui[,]secu[.]non[,]sante[.]non"
    assert by_type["true-false"]["result"]["response"] == "true"
    (passed,) = statements(user, "passed")
    assert passed["result"]["score"] == {"scaled": 1.0, "raw": 100.0, "min": 0.0, "max": 100.0}
    assert passed["result"]["success"] is True
    assert (
        passed["context"]["extensions"][
            "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
        ]
        == 0.8
    )


def test_a_fail_shows_what_was_wrong_and_allows_a_retry(client, login_as):
    user = login_as()
    response = hand_in(client, WRONG)
    page = client.get(response.location).get_data(as_text=True)
    assert "Quiz pas encore réussi" in page and "50.0 %" in page
    assert "Réponse inexacte" in page and "En partie juste (50 %)" in page
    (failed,) = statements(user, "failed")
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] == 0.5
    hand_in(client, RIGHT)
    assert count(QuizAttempt) == 2  # all attempts are kept
    assert "Votre meilleur score : <strong>100.0 %" in client.get("/modules/module-un").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "answers, message",
    [
        ({**RIGHT, "q-capitale": None}, "Répondez à la question"),
        ({**RIGHT, "q-capitale": "marseille"}, "Réponse inconnue"),
        ({**RIGHT, "q-crepes.cuire": "1"}, "la même place"),
        ({**RIGHT, "q-question-d-un-autre-quiz": "a"}, "aucune question de ce quiz"),
    ],
)
def test_a_tampered_submission_stores_nothing(client, login_as, answers, message):
    login_as()
    attempt = attempt_id(client)
    statements_before = count(StoredStatement)
    answers = {k: v for k, v in answers.items() if v is not None}
    response = hand_in(client, answers, attempt)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(QuestionAnswer) == 0 and count(StoredStatement) == statements_before
    assert db.session.get(QuizAttempt, int(attempt)).submitted_at is None


def test_forged_attempt_ids_are_refused(client, login_as, create_user):
    login_as()
    mine = attempt_id(client)
    other = create_user()
    theirs = QuizAttempt(user_id=other.id, module_slug="module-un", layout={})
    db.session.add(theirs)
    db.session.commit()
    assert hand_in(client, RIGHT, str(theirs.id)).status_code == 404
    assert hand_in(client, RIGHT, "abc").status_code == 404
    assert client.get(f"/modules/module-un/quiz/tentatives/{theirs.id}").status_code == 404
    assert client.get("/modules/module-deux/quiz").status_code == 404  # no quiz there
    hand_in(client, RIGHT, mine)
    again = hand_in(client, WRONG, mine)  # handing in the same attempt twice
    assert again.status_code == 302 and count(QuestionAnswer) == 5


def test_passing_the_quiz_completes_the_module_after_its_lessons(client, login_as):
    user = login_as()
    client.submit("/modules/module-un/lecon-1/terminer")
    client.submit("/modules/module-un/lecon-2/terminer")
    assert db.session.scalar(select(ModuleProgress.completed_at)) is None  # quiz not passed yet
    hand_in(client, WRONG)
    assert db.session.scalar(select(ModuleProgress.completed_at)) is None
    hand_in(client, RIGHT)
    assert db.session.scalar(select(ModuleProgress.completed_at)) is not None
    completed = [s["object"]["id"] for s in statements(user, "completed")]
    assert completed[-1] == "http://cafeia.test/formation/modules/module-un"


def test_item_statistics(client, login_as, auth):
    first = login_as()
    hand_in(client, RIGHT)
    auth.logout()
    login_as()
    hand_in(client, WRONG)
    stats = {row["question"]: row for row in question_stats("module-un")}
    assert stats["capitale"] == {
        "module": "module-un",
        "question": "capitale",
        "answers": 2,
        "right": 0.5,
    }
    assert stats["crepes"]["right"] == 1.0
    assert question_stats()[0]["right"] == 0.5  # weakest first
    assert question_stats("module-un", user_ids=[first.id])[0]["right"] == 1.0


def test_my_data_includes_attempts(client, login_as):
    login_as()
    hand_in(client, RIGHT)
    export = client.get("/mon-compte/donnees.json").json
    assert (
        export["quiz"][0]["score"] == 100.0 and export["quiz"][0]["reponses"]["capitale"] == "paris"
    )
