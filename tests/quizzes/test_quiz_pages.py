"""Taking a quiz over HTTP: attempts, draws, opaque values, grading, results, statements.

Answers are written in the bank's ids (RIGHT, WRONG…) for readability, then translated into the
values the attempt drew, as a person clicking the page would send them (`in_values`). Tests that
need given questions fix the draw to the bank's first five (`classic_draw`)."""

import json
import re
import threading

import pytest
from sqlalchemy import func, select

from courses.models import ModuleProgress
from lms.extensions import db
from lms.xapi.models import StoredStatement
from quizzes import grading
from quizzes.models import QuestionAnswer, QuizAttempt
from quizzes.services import question_stats
from tests.conftest import PASSWORD
from tests.helpers import RIGHT, asked, attempt_id, in_values

pytestmark = pytest.mark.usefixtures("classic_draw")  # every test here asks the same five
WRONG = {**RIGHT, "q-capitale": "lyon", "q-pairs": ["deux"], "q-turc": "faux"}


def hand_in(client, answers, attempt=None):
    attempt = attempt or attempt_id(client)
    return client.submit(
        "/modules/module-un/quiz", {"attempt": attempt, **in_values(attempt, answers)}
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


def test_each_question_is_a_numbered_fieldset_with_a_legend(client, login_as):
    login_as()
    page = client.get("/modules/module-un/quiz").get_data(as_text=True)
    assert page.count('<fieldset class="fr-fieldset') == 5 and page.count("<legend") == 5
    assert "5 questions, tirées pour cette tentative parmi les 8 du quiz" in page
    assert [f"Question {n} sur 5" in page for n in range(1, 6)] == [True] * 5
    assert 'name="q-crepes.' in page and "1re place" in page
    assert 'name="q-partage.' in page and "Je ne partage pas" in page
    for bank_id in ("melanger", "secu", "paris", "deux", "oui", "non"):  # no bank id in the page
        assert f'"q-crepes.{bank_id}"' not in page and f'value="{bank_id}"' not in page


def test_orders_and_values_are_drawn_per_attempt_and_kept(client, login_as):
    login_as()
    first = attempt_id(client)
    assert attempt_id(client) == first  # reloading keeps the attempt, its order and its values
    shown = asked(first)["crepes"]
    assert {o.id for o, _ in shown.options} == {"melanger", "lait", "reposer", "cuire"}
    assert asked(first)["turc"].options == []
    page = client.get("/modules/module-un/quiz").get_data(as_text=True)
    assert re.findall(r'id="q-crepes\.([\w-]+)"', page) == [v for _, v in shown.options]
    orders, values = set(), set()
    for _ in range(12):
        attempt = attempt_id(client)
        orders.add(tuple(o.id for o, _ in asked(attempt)["crepes"].options))
        values |= {v for _, v in asked(attempt)["capitale"].options}
        hand_in(client, RIGHT, attempt)
    assert len(orders) > 1  # 12 draws of 24 orders: never all the same
    assert len(values) == 36  # 12 attempts × 3 choices, each its own value


def test_two_attempts_of_one_person_show_other_values_and_orders(client, login_as):
    """The same question, asked twice to the same person: no value in common, and over a few
    attempts, other orders."""
    login_as()
    pages, seen = [], {}
    for _ in range(8):
        attempt = attempt_id(client)
        page = client.get("/modules/module-un/quiz").get_data(as_text=True)
        pages.append(set(re.findall(r'value="([\w-]{11})"', page)))
        for question_id, shown in asked(attempt).items():
            seen.setdefault(question_id, []).append(tuple(o.id for o, _ in shown.options))
        client.submit("/modules/module-un/quiz", {"attempt": attempt})  # refused: still open
        db.session.execute(
            QuizAttempt.__table__.update()
            .where(QuizAttempt.id == int(attempt))
            .values(submitted_at=func.now())
        )
        db.session.commit()
    for one, other in zip(pages, pages[1:], strict=False):
        assert one and other and not one & other
    assert any(len(set(orders)) > 1 for orders in seen.values() if len(orders) > 1)


def test_a_pass_is_graded_explained_and_recorded(client, login_as):
    user = login_as()
    response = hand_in(client, RIGHT)
    assert response.status_code == 302 and "/quiz/tentatives/" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "Quiz réussi" in page and "100\u00a0%" in page and "Paris est la capitale." in page
    (attempted,) = statements(user, "attempted")
    assert attempted["object"]["id"] == QUIZ_ID
    assert len(statements(user, "answered")) == 5
    (passed,) = statements(user, "passed")
    assert passed["result"]["score"] == {"scaled": 1.0, "raw": 100.0, "min": 0.0, "max": 100.0}
    assert passed["result"]["success"] is True
    assert passed["context"]["extensions"][MASTERY] == 0.8


QUIZ_ID = "http://cafeia.test/formation/modules/module-un/quiz"
MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
# Wrong or partly right on every kind, so that each response differs from its correct pattern.
MIXED = {
    **RIGHT,
    "q-capitale": "lille",
    "q-pairs": ["quatre", "cinq"],
    "q-turc": "faux",
    "q-crepes.melanger": "2",
    "q-crepes.lait": "1",
    "q-partage.recette": "non",
    "q-partage.sante": "oui",
}
CHOICES = {"choices": [("paris", "Paris"), ("lyon", "Lyon"), ("lille", "Lille")]}
STEPS = [
    ("melanger", "Mélanger farine et œufs"),
    ("lait", "Ajouter le lait"),
    ("reposer", "Laisser reposer"),
    ("cuire", "Cuire"),
]
# question id: interaction type, correct pattern, the person's response, components, score.
EXPECTED = {
    "capitale": ("choice", "paris", "lille", CHOICES, 0.0),
    "pairs": (
        "choice",
        "deux[,]quatre",
        "cinq[,]quatre",
        {"choices": [("deux", "2"), ("quatre", "4"), ("cinq", "5")]},
        0.0,
    ),
    "turc": ("true-false", "true", "false", {}, 0.0),
    "crepes": (
        "sequencing",
        "melanger[,]lait[,]reposer[,]cuire",
        "lait[,]melanger[,]reposer[,]cuire",
        {"choices": STEPS},
        0.5,
    ),
    "partage": (
        "matching",
        "recette[.]oui[,]secu[.]non[,]sante[.]non",
        "recette[.]non[,]secu[.]non[,]sante[.]oui",
        {
            "source": [
                ("recette", "Une question de cuisine"),
                ("secu", "Un numéro de sécurité sociale"),
                ("sante", "Un dossier médical"),
            ],
            "target": [("oui", "Je partage"), ("non", "Je ne partage pas")],
        },
        1 / 3,
    ),
}


def components(definition: dict) -> dict:
    return {
        key: [(c["id"], c["description"]["fr-FR"]) for c in definition[key]]
        for key in ("choices", "source", "target")
        if key in definition
    }


def test_each_answer_is_an_xapi_interaction_with_the_persons_response(client, login_as):
    user = login_as()
    hand_in(client, MIXED)
    by_question = {
        s["object"]["id"].rsplit("/questions/", 1)[1]: s for s in statements(user, "answered")
    }
    assert set(by_question) == set(EXPECTED)
    for question_id, (kind, pattern, response, parts, scaled) in EXPECTED.items():
        statement = by_question[question_id]
        definition = statement["object"]["definition"]
        assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
        assert definition["interactionType"] == kind, question_id
        assert definition["correctResponsesPattern"] == [pattern], question_id
        assert statement["result"]["response"] == response, question_id
        assert components(definition) == parts, question_id
        assert statement["result"]["score"]["scaled"] == pytest.approx(scaled), question_id
        assert statement["result"]["success"] is False, question_id
        (parent,) = statement["context"]["contextActivities"]["parent"]
        assert parent["id"] == QUIZ_ID, question_id
    (failed,) = statements(user, "failed")
    assert failed["object"]["id"] == QUIZ_ID
    assert failed["result"]["score"] == {"scaled": 0.167, "raw": 16.7, "min": 0.0, "max": 100.0}
    assert failed["result"]["success"] is False and failed["result"]["completion"] is True
    (parent,) = failed["context"]["contextActivities"]["parent"]
    assert parent["id"] == "http://cafeia.test/formation/modules/module-un"
    assert failed["context"]["extensions"][MASTERY] == 0.8


def test_a_fail_shows_what_was_wrong_and_allows_a_retry(client, login_as):
    user = login_as()
    response = hand_in(client, WRONG)
    page = client.get(response.location).get_data(as_text=True)
    assert "Quiz pas encore réussi" in page and "50\u00a0%" in page
    assert "Réponse inexacte" in page and "En partie juste (50\u00a0%)" in page
    (failed,) = statements(user, "failed")
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] == 0.5
    hand_in(client, RIGHT)
    assert count(QuizAttempt) == 2  # all attempts are kept
    assert "Votre meilleur score : <strong>100\u00a0%" in client.get("/modules/module-un").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "answers, status, message",
    [
        ({**RIGHT, "q-capitale": None}, 422, "Répondez à la question"),
        ({**RIGHT, "q-crepes.cuire": "1"}, 422, "la même place"),
        ({**RIGHT, "q-capitale": "marseille"}, 400, "Réponse inconnue"),
        ({**RIGHT, "q-question-d-un-autre-quiz": "a"}, 400, "aucune question de cette tentative"),
        (
            {**RIGHT, "q-crepes.intrus": "5"},
            400,
            "La réponse envoyée pour « Remettez la recette dans l’ordre. » contient un "
            "élément inconnu",
        ),
        (
            {**RIGHT, "q-capitale.x": "paris"},
            400,
            "La réponse envoyée pour « Quelle est la capitale de la France\u202f? » contient un "
            "élément inconnu",
        ),
    ],
)
def test_a_tampered_submission_stores_nothing(client, login_as, answers, status, message):
    login_as()
    attempt = attempt_id(client)
    statements_before = count(StoredStatement)
    answers = {k: v for k, v in answers.items() if v is not None}
    response = hand_in(client, answers, attempt)
    assert response.status_code == status
    assert "Le quiz n'a pas été corrigé" in response.get_data(as_text=True)
    assert message in response.get_data(as_text=True)
    assert count(QuestionAnswer) == 0 and count(StoredStatement) == statements_before
    assert db.session.get(QuizAttempt, int(attempt)).submitted_at is None


def test_forged_attempt_ids_are_refused(client, login_as, create_user):
    login_as()
    attempt_id(client)
    other = create_user()
    theirs = QuizAttempt(user_id=other.id, module_slug="module-un", layout={})
    db.session.add(theirs)
    db.session.commit()
    assert hand_in(client, RIGHT, str(theirs.id)).status_code == 404
    assert hand_in(client, RIGHT, "abc").status_code == 404
    assert client.get(f"/modules/module-un/quiz/tentatives/{theirs.id}").status_code == 404
    assert client.get("/modules/module-deux/quiz").status_code == 404  # no quiz there


ALREADY = "Cette tentative a déjà été corrigée : voici le résultat enregistré."


def test_handing_in_the_same_attempt_twice_changes_nothing(client, login_as):
    login_as()
    mine = attempt_id(client)
    hand_in(client, RIGHT, mine)
    statements_before = count(StoredStatement)
    again = hand_in(client, WRONG, mine)  # the back button, then « Valider » again
    assert again.status_code == 302
    assert again.location == f"/modules/module-un/quiz/tentatives/{mine}"
    page = client.get(again.location).get_data(as_text=True)
    assert ALREADY in page and "Quiz réussi : 100\u00a0%" in page  # the first grade stands
    assert count(QuestionAnswer) == 5 and count(StoredStatement) == statements_before
    assert db.session.get(QuizAttempt, int(mine)).score == 100.0


def test_two_simultaneous_hand_ins_grade_the_attempt_once(app, client, login_as, monkeypatch):
    """Two tabs send the same attempt at once: both pass the view's check, one only is graded."""
    user = login_as()
    mine = attempt_id(client)
    other_tab = app.test_client()
    other_tab.submit("/connexion", {"email": user.email, "password": PASSWORD})
    statements_before = count(StoredStatement)
    both_graded = threading.Barrier(2, timeout=10)
    real_grade = grading.grade

    def grade_then_wait(asked, form):
        graded = real_grade(asked, form)
        both_graded.wait()  # neither writes before both have seen the attempt open
        return graded

    monkeypatch.setattr(grading, "grade", grade_then_wait)
    responses = {}
    forms = {True: in_values(mine, RIGHT), False: in_values(mine, WRONG)}

    def send(tab, answers):
        right = answers is RIGHT
        responses[right] = tab.submit("/modules/module-un/quiz", {"attempt": mine, **forms[right]})

    threads = [
        threading.Thread(target=send, args=(tab, answers))
        for tab, answers in ((client, RIGHT), (other_tab, WRONG))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # Both land on the attempt's one result; the loser's page says its answers were not graded.
    assert {(r.status_code, r.location) for r in responses.values()} == {
        (302, f"/modules/module-un/quiz/tentatives/{mine}")
    }
    told = {
        right: ALREADY in tab.get(responses[right].location).get_data(as_text=True)
        for right, tab in ((True, client), (False, other_tab))
    }
    assert sorted(told.values()) == [False, True]
    db.session.expire_all()
    winner_score = 50.0 if told[True] else 100.0
    assert db.session.get(QuizAttempt, int(mine)).score == winner_score
    assert count(QuestionAnswer) == 5
    assert count(StoredStatement) == statements_before + 6  # 5 answered and 1 passed or failed


@pytest.mark.parametrize("app_config", [{"QUIZ_PASS_MARK": 86.7}])
def test_a_score_rounded_up_to_the_mark_does_not_pass(client, login_as):
    user = login_as()
    # One item of three well placed: 4 + 1/3 points of 5, 86.666… %, shown as 86.7 %.
    response = hand_in(client, {**RIGHT, "q-partage.recette": "non", "q-partage.secu": "oui"})
    page = client.get(response.location).get_data(as_text=True)
    assert "Quiz pas encore réussi : 86,7\u00a0%" in page and "Le seuil est de 86,7\u00a0%" in page
    assert db.session.scalar(select(QuizAttempt.passed)) is False
    assert statements(user, "passed") == [] and len(statements(user, "failed")) == 1
    panel = client.get("/modules/module-un").get_data(as_text=True)
    assert "<strong>86,7\u00a0%</strong>." in panel and "quiz réussi" not in panel


@pytest.mark.parametrize("app_config", [{"QUIZ_PASS_MARK": 50}])
def test_the_configured_pass_mark_is_honoured(client, login_as):
    user = login_as()
    assert "réussi à partir de 50\u00a0%" in client.get("/modules/module-un/quiz").get_data(
        as_text=True
    )
    response = hand_in(client, WRONG)  # 50 %: a fail at the default 80, a pass here
    page = client.get(response.location).get_data(as_text=True)
    assert "Quiz réussi : 50\u00a0%" in page and "le seuil de 50\u00a0% est atteint" in page
    (passed,) = statements(user, "passed")
    assert passed["context"]["extensions"][MASTERY] == 0.5
    assert "quiz réussi" in client.get("/modules/module-un").get_data(as_text=True)


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
