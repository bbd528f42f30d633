"""Question pools and answers that cannot be read: the draw covers every objective, a value
from another attempt, question or person is refused, a script reading only the page scores no
better than chance; matching over HTTP; drafts; the error summary; results that teach."""

import itertools
import json
import re
from collections import Counter
from statistics import mean

import lxml.html
import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.xapi.models import StoredStatement
from quizzes import draw
from quizzes.grading import score
from quizzes.models import QuestionAnswer, QuizAttempt
from quizzes.services import quizzes
from tests.conftest import FIXTURE_BANKS
from tests.helpers import asked, attempt_id, in_values

QUIZ_URL = "/modules/module-un/quiz"


def quiz():
    return quizzes()["module-un"]


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def open_attempt() -> QuizAttempt:
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.submitted_at.is_(None)))


# --- the draw ----------------------------------------------------------------------------------


def test_every_draw_covers_every_objective_and_the_pool_is_used():
    from quizzes.bank import load_quiz

    bank = load_quiz(FIXTURE_BANKS / "module-un.yaml")
    drawn = [draw.draw_questions(bank) for _ in range(400)]
    objectives = {o.id for o in bank.objectives}
    for questions in drawn:
        assert len(questions) == bank.draw == len({q.id for q in questions})
        assert {q.objective for q in questions} == objectives
    times = Counter(q.id for questions in drawn for q in questions)
    assert set(times) == {q.id for q in bank.questions}  # each question is asked, some time
    assert len({tuple(q.id for q in questions) for questions in drawn}) > 10  # many subsets


def test_a_retry_draws_again(client, login_as):
    login_as()
    draws = set()
    for _ in range(8):
        attempt = attempt_id(client)
        draws.add(tuple(sorted(asked(attempt))))
        right = in_values(attempt, {})  # nothing: refused, then graded all right below
        assert client.submit(QUIZ_URL, {"attempt": attempt, **right}).status_code == 422
        from quizzes.demo import right_answers

        form = right_answers(quiz(), attempt).to_dict(flat=False)
        assert client.submit(QUIZ_URL, {"attempt": attempt, **form}).status_code == 302
    assert len(draws) > 1
    scores = db.session.scalars(select(QuizAttempt.score)).all()
    assert scores == [100.0] * 8  # the score is over the questions drawn
    assert count(QuestionAnswer) == 8 * quiz().draw


# --- values from elsewhere ---------------------------------------------------------------------


def right_form(attempt) -> dict:
    from quizzes.demo import right_answers

    return right_answers(quiz(), attempt).to_dict(flat=False)


def refused_and_nothing_stored(client, attempt, form, status=400) -> str:
    before = count(StoredStatement)
    response = client.submit(QUIZ_URL, {"attempt": attempt, **form})
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert "Le quiz n'a pas été corrigé" in page
    assert count(QuestionAnswer) == 0 and count(StoredStatement) == before
    db.session.expire_all()
    assert db.session.get(QuizAttempt, int(attempt)).submitted_at is None
    return page


def test_the_values_of_another_attempt_are_refused(client, login_as):
    login_as()
    first = attempt_id(client)
    earlier = right_form(first)
    db.session.execute(  # the first attempt is left (another tab, an old page), a second opened
        QuizAttempt.__table__.update()
        .where(QuizAttempt.id == int(first))
        .values(submitted_at=func.now(), score=0, passed=False)
    )
    db.session.commit()
    second = attempt_id(client)
    assert second != first
    # The first attempt's answers, sent for the second: where both asked a question, its values
    # differ; where they did not, the question was not asked. Refused either way.
    page = refused_and_nothing_stored(client, second, earlier)
    # Which message depends on the draws: a choice unknown here, a question this attempt did
    # not ask, or an item (ordering, classification, matching) under another attempt's value.
    refusals = ("Réponse inconnue", "aucune question de cette tentative", "un élément inconnu")
    assert any(refusal in page for refusal in refusals), page


def test_the_values_of_another_question_are_refused(client, login_as):
    login_as()
    attempt = attempt_id(client)
    shown = asked(attempt)
    choice = [s for s in shown.values() if s.question.kind in ("single", "multiple")]
    others = [v for s in shown.values() for _, v in s.options if s is not choice[0]]
    form = right_form(attempt)
    form[f"q-{choice[0].question.id}"] = [others[0]]
    page = refused_and_nothing_stored(client, attempt, form)
    assert f"Réponse inconnue pour « {choice[0].question.prompt} »" in page.replace("&#39;", "'")


def test_the_values_of_another_person_are_refused(client, login_as, auth, create_user):
    someone = create_user()
    auth.login(someone.email)
    theirs = right_form(attempt_id(client))
    auth.logout()
    login_as()
    mine = attempt_id(client)
    refused_and_nothing_stored(client, mine, {k: v for k, v in theirs.items() if k != "attempt"})


def test_the_banks_own_ids_are_refused(client, login_as):
    """The former page's answers (bank ids): never accepted, whatever the attempt drew."""
    login_as()
    attempt = attempt_id(client)
    shown = asked(attempt)
    form = right_form(attempt)
    for s in shown.values():
        if s.question.kind in ("single", "multiple"):
            form[f"q-{s.question.id}"] = [c.id for c in s.question.choices if c.correct]
    assert "Réponse inconnue" in refused_and_nothing_stored(client, attempt, form)


def test_an_attempt_opened_before_pools_is_drawn_again(client, login_as):
    """An attempt left open with the former layout (option ids in the bank's order) is not a
    crash: the page draws it again, and the former page's answers are refused."""
    user = login_as()
    old = QuizAttempt(
        user_id=user.id,
        module_slug="module-un",
        layout={q.id: [o.id for o in q.shuffled] for q in quiz().questions},
    )
    db.session.add(old)
    db.session.commit()
    assert attempt_id(client) == str(old.id)  # the same attempt, drawn again
    assert len(asked(old.id)) == quiz().draw
    former = {"q-capitale": "paris", "q-turc": "vrai"}
    refused_and_nothing_stored(client, str(old.id), former)


# --- a script that reads only the page ---------------------------------------------------------


def page_fields(html: str) -> list[dict]:
    """What a script sees in the page: per question, its radios, boxes and selects."""
    tree = lxml.html.fromstring(html)
    questions = []
    for fieldset in tree.xpath("//fieldset[contains(@class, 'cafeia-question')]"):
        inputs = fieldset.xpath(".//input")
        selects = [
            (s.get("name"), [o.get("value") for o in s.xpath(".//option") if o.get("value")])
            for s in fieldset.xpath(".//select")
        ]
        questions.append(
            {
                "name": inputs[0].get("name") if inputs else None,
                "type": inputs[0].get("type") if inputs else "select",
                "values": [i.get("value") for i in inputs],
                "selects": selects,
            }
        )
    return questions


def answer_by_rule(fields: list[dict], pick) -> dict:
    """`pick` chooses one value of a list by what the page shows (its place, its value)."""
    form = {}
    for field in fields:
        if field["type"] in ("radio", "checkbox"):
            form[field["name"]] = pick(field["values"])
        elif all(
            values == [str(n) for n in range(1, len(values) + 1)] for _, values in field["selects"]
        ):
            names = [name for name, _ in field["selects"]]  # an ordering: places by the rule
            ranked = sorted(names, key=lambda n: names.index(n) if pick is FIRST else n)
            form |= {name: str(place) for place, name in enumerate(ranked, start=1)}
        else:
            form |= {name: pick(values) for name, values in field["selects"]}
    return form


def FIRST(values):
    return values[0]


def SORTS_FIRST(values):
    return min(values)


def chance(question, pick) -> float:
    """The expected score of a rule that cannot see the answer: options in a random order under
    random values. True/false has fixed values (vrai, faux) that carry no answer: the rule's
    choice among them is scored as it is."""
    kind = question.kind
    if kind == "truefalse":
        return score(question, pick(["vrai", "faux"]) == "vrai")
    if kind == "single":
        return mean(score(question, c.id) for c in question.choices)
    if kind == "multiple":
        return mean(score(question, [c.id]) for c in question.choices)
    if kind == "ordering":
        ids = [i.id for i in question.items]
        return mean(score(question, list(p)) for p in itertools.permutations(ids))
    if kind == "classification":
        return mean(
            score(question, {i.id: c.id for i in question.items}) for c in question.categories
        )
    return mean(score(question, {p.id: t.id for p in question.pairs}) for t in question.pairs)


def in_the_banks_order(question, pick) -> float:
    """What the same rule would score on a page that showed the bank's order (the leak fixed by
    issue 16): the right single answer first, the items already in order…"""
    kind = question.kind
    if kind == "truefalse":
        return chance(question, pick)
    if kind == "single":
        return score(question, question.choices[0].id)
    if kind == "multiple":
        return score(question, [question.choices[0].id])
    if kind == "ordering":
        return score(question, [i.id for i in question.items])
    if kind == "classification":
        return score(question, {i.id: question.categories[0].id for i in question.items})
    return score(question, {p.id: question.pairs[0].id for p in question.pairs})


ATTEMPTS = 80


@pytest.mark.parametrize("pick", [FIRST, SORTS_FIRST], ids=["le-premier", "la-plus-petite-valeur"])
def test_a_script_reading_only_the_page_scores_no_better_than_chance(client, login_as, pick):
    login_as()
    observed, expected, leaking = [], [], []
    for _ in range(ATTEMPTS):
        page = client.get(QUIZ_URL).get_data(as_text=True)
        attempt = re.search(r'name="attempt" value="(\d+)"', page).group(1)
        form = answer_by_rule(page_fields(page), pick)
        assert client.submit(QUIZ_URL, {"attempt": attempt, **form}).status_code == 302
        drawn = [s.question for s in asked(attempt).values()]
        expected += [chance(q, pick) for q in drawn]
        leaking += [in_the_banks_order(q, pick) for q in drawn]
        observed += db.session.scalars(
            select(QuestionAnswer.score).where(QuestionAnswer.attempt_id == int(attempt))
        ).all()
    assert len(observed) == len(expected) == ATTEMPTS * quiz().draw
    # Each score lies in [0, 1]: the mean of n of them strays from its expectation by more than
    # 4 × 0.5 / √n (0.1 for 400 scores) once in tens of thousands of runs.
    bound = mean(expected) + 4 * 0.5 / len(observed) ** 0.5
    assert mean(observed) <= bound, (mean(observed), mean(expected))
    if pick is FIRST:  # the page in the bank's order would be caught
        assert mean(leaking) > bound, (mean(leaking), bound)


# --- matching over HTTP --------------------------------------------------------------------------


def matching_attempt(client, monkeypatch):
    monkeypatch.setattr(
        draw,
        "draw_questions",
        lambda quiz: [
            quiz.question(i) for i in ("capitale", "pairs", "crepes", "inventeurs", "lune")
        ],
    )
    return attempt_id(client)


def test_matching_is_a_keyboard_select_per_prompt_with_partial_credit(
    client, login_as, monkeypatch
):
    user = login_as()
    attempt = matching_attempt(client, monkeypatch)
    page = client.get(QUIZ_URL).get_data(as_text=True)
    shown = asked(attempt)["inventeurs"]
    for pair, value in shown.options:  # a labelled select per prompt, the matches as options
        assert f'<label class="fr-label" for="q-inventeurs.{value}">{pair.text}</label>' in page
        assert f'<select class="fr-select" id="q-inventeurs.{value}"' in page
    assert "Choisir une correspondance" in page and "Propose en 1950 un test d’imitation" in page
    assert 'value="turing"' not in page and "q-inventeurs.turing" not in page
    right = right_form(attempt)
    swapped = {  # Turing and Lovelace swapped: one pair of three right
        "q-inventeurs.turing": "lovelace",
        "q-inventeurs.lovelace": "turing",
        "q-inventeurs.mccarthy": "mccarthy",
    }
    form = {k: v for k, v in right.items() if not k.startswith("q-inventeurs.")}
    response = client.submit(QUIZ_URL, {"attempt": attempt, **form, **in_values(attempt, swapped)})
    assert response.status_code == 302
    result = client.get(response.location).get_data(as_text=True)
    assert "En partie juste (33\u00a0%)" in result
    assert "Vos associations et les bonnes associations" in result
    graded = db.session.scalar(
        select(QuestionAnswer.score).where(QuestionAnswer.question_id == "inventeurs")
    )
    assert graded == pytest.approx(1 / 3)
    (statement,) = [
        json.loads(p)
        for p in db.session.scalars(select(StoredStatement.payload))
        if json.loads(p)["object"]["id"].endswith("/questions/inventeurs")
    ]
    definition = statement["object"]["definition"]
    assert definition["interactionType"] == "matching"
    assert definition["correctResponsesPattern"] == [
        "turing[.]turing[,]lovelace[.]lovelace[,]mccarthy[.]mccarthy"
    ]
    assert [(c["id"], c["description"]["fr-FR"]) for c in definition["source"]] == [
        ("turing", "Alan Turing"),
        ("lovelace", "Ada Lovelace"),
        ("mccarthy", "John McCarthy"),
    ]
    assert [c["id"] for c in definition["target"]] == ["turing", "lovelace", "mccarthy"]
    assert definition["target"][0]["description"]["fr-FR"] == "Propose en 1950 un test d’imitation"
    assert (
        statement["result"]["response"]
        == "turing[.]lovelace[,]lovelace[.]turing[,]mccarthy[.]mccarthy"
    )
    assert statement["result"]["score"]["scaled"] == pytest.approx(1 / 3)
    assert statement["result"]["success"] is False
    assert user  # the statement is this person's: there is no other


# --- taking a long quiz: the error summary, drafts -------------------------------------------------


def test_every_missing_answer_is_listed_and_linked_and_the_others_kept(
    client, login_as, monkeypatch
):
    login_as()
    attempt = matching_attempt(client, monkeypatch)
    form = right_form(attempt)
    kept = form.pop("q-capitale")
    for key in [k for k in form if k.startswith("q-crepes.")][:1]:
        form.pop(key)
    form.pop("q-lune")
    form["q-capitale-intrus"] = []
    response = client.submit(QUIZ_URL, {"attempt": attempt, **{k: v for k, v in form.items() if v}})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    tree = lxml.html.fromstring(page)
    (summary,) = tree.xpath("//*[@role='alert']")
    links = [(a.get("href"), a.text_content()) for a in summary.xpath(".//a")]
    assert [href for href, _ in links] == [
        "#question-capitale",
        "#question-crepes",
        "#question-lune",
    ]
    assert links[0][1].startswith("Question 1 : Répondez à la question « Quelle est la capitale")
    assert links[2][1].startswith("Question 5 : Répondez")
    assert "3 questions sont à compléter ou à corriger" in summary.text_content()
    for question_id in ("capitale", "crepes", "lune"):
        (fieldset,) = tree.xpath(f"//*[@id='question-{question_id}']")
        assert "fr-fieldset--error" in fieldset.get("class")
        assert f"erreur-{question_id}" in fieldset.get("aria-labelledby")
        assert fieldset.xpath(
            f".//*[@id='erreur-{question_id}']/p[contains(@class, 'fr-message--error')]"
        )
    (pairs,) = tree.xpath("//*[@id='question-pairs']")
    assert "fr-fieldset--error" not in pairs.get("class")
    checked = [i.get("value") for i in pairs.xpath(".//input[@checked]")]
    assert sorted(checked) == sorted(form["q-pairs"])  # the answers given are kept
    selected = tree.xpath("//*[@id='question-inventeurs']//option[@selected]")
    assert len(selected) == 3
    assert kept  # the capitale answer was removed on purpose


def test_answers_saved_to_finish_later_come_back(client, login_as):
    login_as()
    attempt = attempt_id(client)
    form = right_form(attempt)
    first, *_ = form
    partial = {first: form[first], "q-inconnue": "x"}
    before = count(StoredStatement)
    response = client.submit(QUIZ_URL, {"attempt": attempt, "action": "plus-tard", **partial})
    assert response.status_code == 302 and response.location == "/modules/module-un"
    module = client.get(response.location).get_data(as_text=True)
    assert "Vos réponses sont enregistrées" in module and "Reprendre le quiz" in module
    assert count(StoredStatement) == before and count(QuestionAnswer) == 0
    page = client.get(QUIZ_URL).get_data(as_text=True)  # later, from another page
    assert "Vos réponses enregistrées sont reprises" in page
    assert "1 question répondue sur 5" in page
    tree = lxml.html.fromstring(page)
    filled = [i.get("value") for i in tree.xpath(f"//input[@name='{first}'][@checked]")] or [
        o.get("value") for o in tree.xpath(f"//select[@name='{first}']/option[@selected]")
    ]
    assert sorted(filled) == sorted(form[first])  # a multiple choice: the page keeps its order
    assert "q-inconnue" not in json.dumps(db.session.get(QuizAttempt, int(attempt)).layout)
    kept = client.get("/mon-compte/donnees.json").get_json()  # the person's data holds it
    assert {first: form[first]} in [attempt["brouillon"] for attempt in kept["quiz"]]
    done = client.submit(QUIZ_URL, {"attempt": attempt, **form})
    assert done.status_code == 302 and "/tentatives/" in done.location
    again = client.submit(QUIZ_URL, {"attempt": attempt, "action": "plus-tard", **partial})
    assert again.location == done.location  # once graded, a draft changes nothing


# --- results that teach -------------------------------------------------------------------------


def test_results_mark_each_pick_show_its_feedback_the_rule_and_the_next_module(
    client, login_as, monkeypatch
):
    login_as()
    attempt = matching_attempt(client, monkeypatch)
    form = right_form(attempt)
    form |= in_values(attempt, {"q-pairs": ["deux", "cinq"], "q-capitale": "lyon"})
    failed = client.get(client.submit(QUIZ_URL, {"attempt": attempt, **form}).location)
    page = failed.get_data(as_text=True).replace("&#39;", "'")
    assert "2 — <strong>juste, c’est une bonne réponse</strong>" in page
    assert "5 — <strong>cochée à tort</strong>" in page and "5 divisé par 2 laisse 1." in page
    assert "La bonne réponse que vous n’avez pas cochée : 4" in page
    assert "Votre réponse : Lyon — <strong>inexacte</strong>" in page
    assert "Lyon est la capitale des Gaules, pas de la France." in page
    assert "Paris est la capitale depuis des siècles." not in page  # only the picks' feedback
    assert "moins une part par réponse cochée à tort (jamais moins de zéro)" in page
    assert "Objectif : Connaître quelques faits" in page
    assert "Module suivant" not in page  # not passed
    attempt = attempt_id(client)
    passed = client.get(
        client.submit(QUIZ_URL, {"attempt": attempt, **right_form(attempt)}).location
    )
    tree = lxml.html.fromstring(passed.get_data(as_text=True))
    (button,) = [
        a
        for a in tree.xpath("//a[contains(@class, 'fr-btn')]")
        if a.text_content() == "Module suivant"
    ]
    assert button.get("href") == "/modules/module-deux"


def test_an_attempt_graded_before_pools_still_shows_its_result(client, login_as):
    user = login_as()
    old = QuizAttempt(
        user_id=user.id,
        module_slug="module-un",
        layout={q.id: [o.id for o in q.shuffled] for q in quiz().questions},
        answers={"capitale": "paris", "turc": False},
        score=50.0,
        passed=False,
        submitted_at=func.now(),
    )
    db.session.add(old)
    db.session.flush()
    for question_id, right in (("capitale", True), ("turc", False)):
        db.session.add(
            QuestionAnswer(
                attempt_id=old.id,
                module_slug="module-un",
                question_id=question_id,
                score=float(right),
                correct=right,
            )
        )
    db.session.commit()
    page = client.get(f"/modules/module-un/quiz/tentatives/{old.id}").get_data(as_text=True)
    assert "Quiz pas encore réussi : 50\u00a0%" in page
    assert page.count('<section class="fr-mb-4w"') == 2  # the two questions it answered
    assert "Votre réponse : Paris — <strong>juste</strong>" in page


def test_after_the_last_module_the_next_step_is_the_status_page(app):
    from courses import progress
    from quizzes.views import _next_step

    first, last = progress.catalogue().modules[0], progress.catalogue().modules[-1]
    with app.test_request_context():
        assert _next_step(first) == (
            "Module suivant",
            f"/modules/{progress.catalogue().modules[1].slug}",
        )
        assert _next_step(last) == ("Voir mon statut", "/mon-statut")
