"""The real banks give nothing away: the cue shares of issue 16, computed from each bank.

A quiz the animateur status rests on must measure knowledge, not the reading of cues: the right
option is not the longest one, multiple-answer questions do not have a majority of right boxes,
learners are put in situations, every option says why it is right or wrong, and each bank holds
a pool larger than an attempt so that a retry draws again.
"""

import re
from collections import Counter

import pytest

from quizzes import BANKS
from quizzes.bank import Option, Question, Quiz, load_quiz

VERDICT = re.compile(
    r"^(c'est (faux|vrai|juste|exact|correct)|faux|vrai|bravo|exact|correct|incorrect|"
    r"bonne réponse|mauvaise réponse|perdu|gagné)\b",
    re.IGNORECASE,
)


@pytest.fixture(params=sorted(BANKS.glob("*.yaml")), ids=lambda path: path.stem)
def quiz(request) -> Quiz:
    return load_quiz(request.param)  # the bank must load, or the app would not start


def of_kind(quiz: Quiz, *kinds: str) -> list[Question]:
    return [q for q in quiz.questions if q.kind in kinds]


def right(question: Question) -> list[Option]:
    return [c for c in question.choices if c.correct]


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({round(100 * part / whole) if whole else 0} %)"


def test_the_pool_is_larger_than_an_attempt_and_covers_every_objective(quiz):
    objectives = [o.id for o in quiz.objectives]
    assert 3 <= len(objectives) <= 6, f"3 to 6 objectives expected, {len(objectives)} found"
    assert quiz.draw >= len(objectives), (
        f"draw {quiz.draw} cannot cover {len(objectives)} objectives"
    )
    assert len(quiz.questions) >= 1.5 * quiz.draw, (
        f"{len(quiz.questions)} questions for a draw of {quiz.draw}: "
        f"at least {1.5 * quiz.draw:g} needed (a bank without `draw` asks them all)"
    )
    per_objective = Counter(q.objective for q in quiz.questions)
    thin = {o: per_objective[o] for o in objectives if per_objective[o] < 2}
    assert not thin, f"objectives with fewer than 2 questions: {thin}"


def test_the_right_single_answer_is_rarely_the_longest(quiz):
    singles = of_kind(quiz, "single")
    longest = [
        q.id
        for q in singles
        if all(len(right(q)[0].text) > len(c.text) for c in q.choices if not c.correct)
    ]
    assert len(longest) <= 0.3 * len(singles), (
        f"right option strictly the longest in {share(len(longest), len(singles))} "
        f"of single-choice questions (30 % at most): {longest}"
    )


def test_the_right_single_answer_does_not_always_have_the_same_id(quiz):
    ids = Counter(right(q)[0].id for q in of_kind(quiz, "single"))
    assert len(ids) > 1, f"the right single answer always has the id {list(ids)}"


def test_multiple_answer_questions_vary_and_rarely_have_a_right_majority(quiz):
    multiples = of_kind(quiz, "multiple")
    assert len(multiples) >= 2, "at least two multiple-answer questions, to vary the right count"
    counts = {q.id: (len(right(q)), len(q.choices)) for q in multiples}
    assert len({n for n, _ in counts.values()}) > 1, (
        f"every multiple-answer question has the same number of right options: {counts}"
    )
    majority = [qid for qid, (n, total) in counts.items() if 2 * n > total]
    assert len(majority) <= len(multiples) / 2, (
        f"right options are a majority in {share(len(majority), len(multiples))} "
        f"of multiple-answer questions (half at most): {majority}"
    )


def test_at_least_two_questions_in_five_are_situations(quiz):
    situations = [q for q in quiz.questions if q.situation]
    assert len(situations) >= 0.4 * len(quiz.questions), (
        f"{share(len(situations), len(quiz.questions))} of questions are situations (40 % at least)"
    )


def test_every_choice_says_why_it_is_right_or_wrong(quiz):
    missing = [
        f"{q.id}/{c.id}"
        for q in of_kind(quiz, "single", "multiple")
        for c in q.choices
        if not c.feedback
    ]
    assert not missing, f"choices without feedback: {missing}"


def test_explanations_and_feedback_start_with_the_fact(quiz):
    texts = [(q.id, q.explanation) for q in quiz.questions] + [
        (f"{q.id}/{c.id}", c.feedback)
        for q in of_kind(quiz, "single", "multiple")
        for c in q.choices
    ]
    verdicts = [where for where, text in texts if VERDICT.match(text.strip())]
    assert not verdicts, f"texts that open on a verdict instead of the fact: {verdicts}"


def test_each_bank_has_a_matching_question(quiz):
    matchings = of_kind(quiz, "matching")
    assert matchings, "at least one matching question (associer) per bank"
    for question in matchings:
        assert 3 <= len(question.pairs) <= 6, (
            f"{question.id}: 3 to 6 pairs, {len(question.pairs)} found"
        )
