"""A fixed draw, for tests that count answers per question (import the fixture to use it)."""

import pytest

FIRST_FIVE = ("capitale", "pairs", "turc", "crepes", "partage")  # one of each kind but matching


@pytest.fixture
def classic_draw(monkeypatch):
    """Every quiz attempt draws the fixture bank's first five questions; otherwise each attempt
    draws its own."""
    from quizzes import draw

    monkeypatch.setattr(draw, "draw_questions", lambda quiz: [quiz.question(i) for i in FIRST_FIVE])
