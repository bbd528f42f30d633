"""The real training content: four modules, substantial, sourced, original; and their quizzes."""

import subprocess
from collections import Counter
from pathlib import Path

import pytest

from courses import CONTENT
from courses.content import load_catalogue
from quizzes import BANKS
from quizzes.bank import load_banks

CATALOGUE = load_catalogue(CONTENT)
QUIZZES = load_banks(BANKS)
TITLES = [
    "Histoire de l'IA : entre réalité et fictions",
    "Données et algorithmes",
    "IA et travail",
    "Animer un Café IA",
]
ORIGINALITY = Path(__file__).resolve().parents[3] / "shared" / "tools" / "check-originality"


def test_the_four_modules_in_order():
    assert [m.title for m in CATALOGUE.modules] == TITLES
    assert [m.order for m in CATALOGUE.modules] == [1, 2, 3, 4]


@pytest.mark.parametrize("module", CATALOGUE.modules, ids=lambda m: m.slug)
def test_each_module_is_substantial_and_sourced(module):
    assert 4 <= len(module.lessons) <= 7
    assert sum(len(lesson.body.split()) for lesson in module.lessons) >= 2500
    assert module.objectives and module.licence and module.attribution
    for lesson in module.lessons:
        assert len(lesson.sources) >= 2, lesson.path
        assert lesson.further_reading, lesson.path
        assert all(s.year <= 2026 for s in lesson.sources), lesson.path


@pytest.mark.parametrize("module", CATALOGUE.modules, ids=lambda m: m.slug)
def test_each_module_has_a_quiz_with_the_kinds_that_fit(module):
    quiz = QUIZZES[module.slug]
    assert len(quiz.questions) >= 12
    kinds = Counter(q.kind for q in quiz.questions)
    expected = {
        "histoire-ia": {"ordering", "truefalse"},
        "donnees-algorithmes": {"ordering", "classification"},
        "ia-travail": {"classification"},
        "animer-cafe-ia": {"ordering", "single"},
    }[module.slug]
    assert expected <= set(kinds)


def test_the_crepe_recipe_and_the_sharing_question_exist():
    bank = QUIZZES["donnees-algorithmes"]
    assert any(q.kind == "ordering" and "crêpe" in q.prompt.lower() for q in bank.questions)
    assert any(
        q.kind == "classification" and "partage" in " ".join(c.text.lower() for c in q.categories)
        for q in bank.questions
    )


def test_every_lesson_renders(app):
    from courses.rendering import render_markdown

    with app.test_request_context():
        for lesson in CATALOGUE.lessons():
            html = render_markdown(lesson.body)
            assert "<script" not in html and len(html) > 1000, lesson.path


@pytest.mark.skipif(not ORIGINALITY.exists(), reason="shared/tools/check-originality absent")
def test_no_passage_is_copied_from_the_reference_documents():
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [str(ORIGINALITY), "courses", "quizzes"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
