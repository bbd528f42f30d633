"""Module 3 (IA et travail): every lesson carries one to three checks and one reflection
prompt, they load (their kinds validate them at start-up), and over HTTP each check graded
with its right choices says « Bonne réponse » with its explanation, in French typography."""

import lxml.html
import pytest

from courses import CONTENT
from courses.content import load_catalogue

MODULE = load_catalogue(CONTENT).module("ia-travail")


@pytest.fixture
def app_config() -> dict:
    """The real modules and banks, not the engine tests' small catalogue."""
    return {"COURSES_CONTENT": None, "QUIZ_BANKS": None}


def blocks_of(lesson, kind: str) -> list:
    return [block for block in lesson.blocks if block.kind == kind]


def test_module_3_has_six_lessons():
    assert len(MODULE.lessons) == 6


@pytest.mark.parametrize("lesson", MODULE.lessons, ids=lambda lesson: lesson.slug)
def test_each_lesson_has_one_to_three_checks_and_one_reflection(app, lesson):
    assert 1 <= len(blocks_of(lesson, "question")) <= 3
    (reflection,) = blocks_of(lesson, "reflexion")
    assert reflection.data["prompt"].strip()
    # Loaded by the running platform: its kinds validated every block at start-up.
    loaded = app.extensions["courses"].module("ia-travail").lesson(lesson.slug)
    assert [b.id for b in loaded.blocks] == [b.id for b in lesson.blocks]


def section(page, block) -> lxml.html.HtmlElement:
    return page.get_element_by_id(block.anchor)


def right_values(page, block) -> list[str]:
    """The opaque values the page gives to the block's right choices, found by their labels."""
    right = {choice["text"] for choice in block.data["choices"] if choice.get("correct")}
    found = []
    for field in section(page, block).xpath(".//input[@name='reponse']"):
        (label,) = page.xpath(f"//label[@for='{field.get('id')}']")
        if label.text_content().strip() in right:
            found.append(field.get("value"))
    assert len(found) == len(right), f"{block.id}: labels {right} not all on the page"
    return found


def reader_text(element) -> str:
    return " ".join(element.text_content().split())


@pytest.mark.parametrize("lesson", MODULE.lessons, ids=lambda lesson: lesson.slug)
def test_each_check_graded_right_says_so_with_its_explanation(client, login_as, lesson):
    login_as("apprenant")
    url = f"/modules/{MODULE.slug}/{lesson.slug}"
    for block in blocks_of(lesson, "question"):
        page = lxml.html.fromstring(client.get(url).get_data(as_text=True))
        response = client.submit(
            f"{url}/activites/{block.id}", {"reponse": right_values(page, block)}
        )
        assert response.status_code == 303, block.id
        page = lxml.html.fromstring(client.get(url).get_data(as_text=True))
        feedback = reader_text(section(page, block))
        assert "Bonne réponse" in feedback, block.id
        assert " ".join(block.data["explanation"].split()) in feedback


def shown_texts(block) -> list[str]:
    data = block.data
    texts = [data["prompt"], data.get("hint", ""), data.get("explanation", "")]
    for choice in data.get("choices", []):
        texts += [choice["text"], choice["feedback"]]
    return [text for text in texts if text]


@pytest.mark.parametrize("lesson", MODULE.lessons, ids=lambda lesson: lesson.slug)
def test_the_checks_and_prompt_are_shown_in_french_typography(client, login_as, lesson):
    login_as("apprenant")
    page = lxml.html.fromstring(
        client.get(f"/modules/{MODULE.slug}/{lesson.slug}").get_data(as_text=True)
    )
    for block in [*blocks_of(lesson, "question"), *blocks_of(lesson, "reflexion")]:
        assert reader_text(page.get_element_by_id(block.anchor)).count(
            " ".join(block.data["prompt"].split())
        )
        for text in shown_texts(block):
            assert "'" not in text and '"' not in text, f"{block.id}: {text}"
            for sign in "?;!»:%":
                assert f" {sign}" not in text, f"{block.id}: espace ordinaire avant {sign}"
            assert "« " not in text, f"{block.id}: {text}"
