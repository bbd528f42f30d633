"""The real lessons' activity blocks: every lesson of the four modules has 1 to 3 checks
(`question`) and exactly one reflection prompt (`reflexion`), and every lesson page draws its
blocks."""

import pytest

from courses import CONTENT, activities
from courses.content import load_catalogue
from lms.typography import typeset
from quizzes import BANKS

CATALOGUE = load_catalogue(CONTENT)
LESSONS = [lesson for module in CATALOGUE.modules for lesson in module.lessons]


def lesson_id(lesson) -> str:
    return f"{lesson.module_slug}/{lesson.slug}"


@pytest.fixture
def app_config() -> dict:
    """The real lessons and banks, not the engine tests' small catalogue."""
    return {"COURSES_CONTENT": str(CONTENT), "QUIZ_BANKS": str(BANKS)}


def test_the_four_modules_and_their_25_lessons_are_checked():
    assert len(CATALOGUE.modules) == 4 and len(LESSONS) == 25


@pytest.mark.parametrize("lesson", LESSONS, ids=lesson_id)
def test_each_lesson_has_one_to_three_checks_and_one_reflection(lesson):
    kinds = [block.kind for block in lesson.blocks]
    assert 1 <= kinds.count("question") <= 3, f"{lesson.path} : {kinds}"
    assert kinds.count("reflexion") == 1, f"{lesson.path} : {kinds}"


def shown_texts(data) -> list[str]:
    if isinstance(data, list):
        return [text for item in data for text in shown_texts(item)]
    if isinstance(data, dict):
        return [
            text
            for key, value in data.items()
            for text in ([value] if key in activities.SHOWN and isinstance(value, str) else [])
            + shown_texts(value)
        ]
    return []


@pytest.mark.parametrize("lesson", LESSONS, ids=lesson_id)
def test_the_blocks_texts_are_typeset_when_loaded(lesson):
    for block in (b for b in lesson.blocks if b.kind in ("question", "reflexion")):
        texts = shown_texts(block.data)
        assert texts, block.id
        assert [t for t in texts if typeset(t) != t] == [], f"{lesson.path} : {block.id}"


def test_every_kind_written_in_a_lesson_is_registered(app):
    assert [(lesson_id(lesson), b.id) for lesson, b in activities.unknown_kinds(app)] == []


def test_every_lesson_page_draws_its_blocks(client, login_as):
    login_as()
    for lesson in LESSONS:
        page = client.get(f"/modules/{lesson.module_slug}/{lesson.slug}").get_data(as_text=True)
        for block in lesson.blocks:
            assert f'id="{block.anchor}"' in page, f"{lesson_id(lesson)} : {block.id}"
        assert "cafeia-activite-" not in page  # no placeholder left uncut
