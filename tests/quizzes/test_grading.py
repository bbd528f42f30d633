"""Grading each kind of question: right, partly right, wrong; and every tampering case.

Most tests read answers through an attempt whose values are the bank's own ids, to keep the
forms readable; the tests at the end draw real opaque values."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from quizzes import draw
from quizzes.bank import load_quiz
from quizzes.draw import Shown
from quizzes.grading import (
    Graded,
    SubmissionError,
    UnknownIdError,
    field_name,
    grade,
    passes,
    percentage,
    read_response,
    score,
)
from tests.conftest import FIXTURE_BANKS
from tests.helpers import RIGHT

QUIZ = load_quiz(FIXTURE_BANKS / "module-un.yaml")
Q = {q.id: q for q in QUIZ.questions}


def by_ids(question) -> Shown:
    """A question shown with values equal to the bank's ids, in the bank's order."""
    return Shown(
        question, [(o, o.id) for o in question.shuffled], [(t, t.id) for t in question.targets]
    )


ASKED = [by_ids(Q[i]) for i in ("capitale", "pairs", "turc", "crepes", "partage")]


def form(**changes) -> MultiDict:
    data = {**RIGHT, **{k.replace("__", "."): v for k, v in changes.items()}}
    pairs = []
    for key, value in data.items():
        if value is None:
            continue
        pairs += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
    return MultiDict(pairs)


def scores(**changes) -> dict[str, float]:
    return {g.question.id: g.score for g in grade(ASKED, form(**changes))}


def test_all_right_is_100():
    graded = grade(ASKED, form())
    assert all(g.correct for g in graded) and percentage(graded) == 100


@pytest.mark.parametrize(
    "changes, question, expected",
    [
        ({"q-capitale": "lyon"}, "capitale", 0),
        ({"q-turc": "faux"}, "turc", 0),
        ({"q-pairs": ["deux"]}, "pairs", 0.5),
        ({"q-pairs": ["deux", "quatre", "cinq"]}, "pairs", 0.5),
        ({"q-pairs": ["cinq"]}, "pairs", 0),
        ({"q-crepes__melanger": "2", "q-crepes__lait": "1"}, "crepes", 0.5),
        (
            {
                "q-crepes__melanger": "4",
                "q-crepes__lait": "3",
                "q-crepes__reposer": "2",
                "q-crepes__cuire": "1",
            },
            "crepes",
            0,
        ),
        ({"q-partage__recette": "non"}, "partage", 2 / 3),
    ],
)
def test_partly_right_and_wrong(changes, question, expected):
    assert scores(**changes)[question] == pytest.approx(expected)


def test_percentage_averages_the_questions():
    graded = grade(ASKED, form(**{"q-capitale": "lyon", "q-pairs": ["deux"]}))
    assert percentage(graded) == 70.0


def graded_with(*scores: float) -> list[Graded]:
    return [Graded(Q["capitale"], "paris", s) for s in scores]


def test_a_score_shown_as_the_mark_but_under_it_does_not_pass():
    just_under = graded_with(1, 1, 1, 0.998, 0)  # 79.96 %, shown as 80.0 %
    assert percentage(just_under) == 80.0
    assert not passes(just_under, 80)
    assert passes(graded_with(1, 1, 1, 1, 0), 80)  # exactly 80 % passes


def test_sums_of_thirds_pass_at_their_exact_mark():
    thirds = graded_with(1 / 3, 1 / 3, 1 / 3)  # 33.33333333333333, one step under 100 / 3
    assert passes(thirds, 100 / 3)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"q-capitale": None}, "Répondez à la question"),
        ({"q-capitale": "marseille"}, "Réponse inconnue"),
        ({"q-capitale": ["paris", "lyon"]}, "Une seule réponse"),
        ({"q-turc": "peut-etre"}, "Réponse inconnue"),
        ({"q-pairs": []}, "Cochez au moins une réponse"),
        ({"q-pairs": ["deux", "deux"]}, "donnée deux fois"),
        ({"q-pairs": ["deux", "sept"]}, "Réponse inconnue"),
        ({"q-crepes__cuire": None}, "Répondez à la question"),
        ({"q-crepes__cuire": "1"}, "la même place"),
        ({"q-crepes__cuire": "9"}, "Réponse inconnue"),
        ({"q-partage__secu": "peut-etre"}, "Réponse inconnue"),
        ({"q-autre-quiz": "a"}, "aucune question de cette tentative"),
        ({"q-lune": "vrai"}, "aucune question de cette tentative"),  # in the pool, not drawn
        ({"q-crepes__intrus": "5"}, "« Remettez la recette dans l’ordre. » contient un élément"),
        (
            {"q-partage__intrus": "oui"},
            "« Que peut-on confier à un service d’IA public\u202f? » contient",
        ),
        (
            {"q-capitale__x": "paris"},
            "« Quelle est la capitale de la France\u202f? » contient un élément",
        ),
        ({"q-crepes": "1"}, "« Remettez la recette dans l’ordre. » contient un élément"),
    ],
)
def test_tampered_submissions_are_refused(changes, message):
    with pytest.raises(SubmissionError, match=re.escape(message)):
        grade(ASKED, form(**changes))


@pytest.mark.parametrize(
    "changes, unknown_id",
    [
        ({"q-capitale": None}, False),  # a person's omission: they fix it on the page
        ({"q-crepes__cuire": "1"}, False),
        ({"q-capitale": "marseille"}, True),  # only a stale or forged page sends these
        ({"q-autre-quiz": "a"}, True),
        ({"q-crepes__intrus": "5"}, True),
    ],
)
def test_unknown_ids_are_told_apart_from_mistakes(changes, unknown_id):
    with pytest.raises(SubmissionError) as error:
        grade(ASKED, form(**changes))
    assert isinstance(error.value, UnknownIdError) == unknown_id
    assert error.value.status == (400 if unknown_id else 422)


# --- properties --------------------------------------------------------------------------------

ORDERING, CLASSIFICATION = by_ids(Q["crepes"]), by_ids(Q["partage"])


@given(st.permutations([item.id for item in ORDERING.question.items]))
def test_ordering_score_counts_items_in_place(order):
    data = MultiDict({f"q-crepes.{item}": str(i + 1) for i, item in enumerate(order)})
    response = read_response(ORDERING, data)
    assert response == list(order)
    expected = [item.id for item in ORDERING.question.items]
    value = score(ORDERING.question, response)
    assert 0 <= value <= 1
    assert value == sum(a == b for a, b in zip(order, expected, strict=True)) / len(expected)
    assert (value == 1) == (list(order) == expected)


@given(st.lists(st.sampled_from(["oui", "non"]), min_size=3, max_size=3))
def test_classification_score_is_the_share_well_placed(choices):
    items = CLASSIFICATION.question.items
    data = MultiDict({f"q-partage.{item.id}": c for item, c in zip(items, choices, strict=True)})
    value = score(CLASSIFICATION.question, read_response(CLASSIFICATION, data))
    right = sum(c == item.category for c, item in zip(choices, items, strict=True))
    assert value == right / 3
    assert (value == 1) == (choices == [item.category for item in items])


@given(st.lists(st.sampled_from(["1", "2", "3", "4"]), min_size=4, max_size=4))
def test_ordering_with_a_repeated_place_is_always_refused(places):
    data = MultiDict(
        {f"q-crepes.{item.id}": p for item, p in zip(ORDERING.question.items, places, strict=True)}
    )
    if len(set(places)) == 4:
        read_response(ORDERING, data)
    else:
        with pytest.raises(SubmissionError):
            read_response(ORDERING, data)


def test_every_omission_is_listed_at_once():
    with pytest.raises(SubmissionError) as error:
        grade(ASKED, form(**{"q-capitale": None, "q-crepes__cuire": "1", "q-partage__secu": None}))
    assert not isinstance(error.value, UnknownIdError) and error.value.status == 422
    assert list(error.value.errors) == ["capitale", "crepes", "partage"]
    assert error.value.errors["crepes"].startswith("Deux éléments ont la même place")


def test_a_forged_value_is_refused_even_beside_omissions():
    with pytest.raises(UnknownIdError):
        grade(ASKED, form(**{"q-capitale": None, "q-pairs": ["deux", "sept"]}))


# --- matching ----------------------------------------------------------------------------------

MATCHING = by_ids(Q["inventeurs"])


@pytest.mark.parametrize(
    "chosen, expected",
    [
        ({"turing": "turing", "lovelace": "lovelace", "mccarthy": "mccarthy"}, 1),
        ({"turing": "lovelace", "lovelace": "turing", "mccarthy": "mccarthy"}, 1 / 3),
        ({"turing": "turing", "lovelace": "turing", "mccarthy": "mccarthy"}, 2 / 3),
        ({"turing": "mccarthy", "lovelace": "turing", "mccarthy": "lovelace"}, 0),
    ],
)
def test_matching_earns_the_share_of_pairs_right(chosen, expected):
    data = MultiDict({f"q-inventeurs.{prompt}": match for prompt, match in chosen.items()})
    response = read_response(MATCHING, data)
    assert response == chosen
    assert score(MATCHING.question, response) == pytest.approx(expected)


@pytest.mark.parametrize(
    "chosen, message",
    [
        ({"turing": "turing", "lovelace": "lovelace"}, "Répondez à la question"),
        ({"turing": "turing", "lovelace": "lovelace", "mccarthy": "babbage"}, "Réponse inconnue"),
    ],
)
def test_matching_refuses_a_missing_or_unknown_match(chosen, message):
    data = MultiDict({f"q-inventeurs.{prompt}": match for prompt, match in chosen.items()})
    with pytest.raises(SubmissionError, match=message):
        read_response(MATCHING, data)


# --- opaque values -----------------------------------------------------------------------------


def drawn() -> list[Shown]:
    return draw.shown(QUIZ, draw.new_layout(QUIZ))


def test_values_are_opaque_and_read_back_into_the_banks_ids():
    asked = drawn()
    assert len(asked) == QUIZ.draw
    ids = {o.id for s in asked for o, _ in [*s.options, *s.targets]}
    values = [v for s in asked for _, v in [*s.options, *s.targets]]
    assert not ids & set(values) and len(set(values)) == len(values)
    single = next((s for s in asked if s.question.kind == "single"), None)
    if single:
        right = next(c for c in single.question.choices if c.correct)
        name = f"q-{single.question.id}"
        assert read_response(single, MultiDict({name: single.value_of(right.id)})) == right.id
        with pytest.raises(UnknownIdError, match="Réponse inconnue"):  # the bank's own id
            read_response(single, MultiDict({name: right.id}))


def test_a_value_of_another_attempt_or_question_is_refused():
    mine, theirs = drawn(), drawn()
    for shown in mine:
        name = field_name(shown.question)
        others = [v for s in [*mine, *theirs] if s is not shown for _, v in s.options]
        if shown.question.kind in ("single", "multiple"):
            for value in others:
                with pytest.raises(UnknownIdError):
                    read_response(shown, MultiDict({name: value}))
        elif shown.question.kind in ("classification", "matching"):
            form = MultiDict({field_name(shown.question, v): others[0] for _, v in shown.options})
            with pytest.raises(UnknownIdError):
                read_response(shown, form)
