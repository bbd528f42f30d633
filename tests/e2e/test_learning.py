"""Learning with a browser: resume, finish a lesson, pass a quiz and fail another, keyboard only."""

import re

import pytest

from courses import progress
from lms.demo import DEMO_PASSWORD, load_demo
from quizzes import services
from tests.e2e.conftest import answer_with_keyboard, assert_accessible, log_in, visit


@pytest.fixture
def learner(app, page):
    load_demo()
    log_in(page, "apprenant@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    return page


def progress_text(page, module_slug) -> str:
    return page.locator(f"label[for='tableau-{module_slug}']").inner_text().strip()


def assert_no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def test_resume_finish_a_lesson_and_see_progress_move(learner):
    page = learner
    second = progress.catalogue().modules[1]
    before = progress_text(page, second.slug)
    assert_accessible(page)
    page.get_by_role("link", name="Reprendre", exact=True).click()
    halfway = len(second.lessons) // 2
    page.wait_for_url(f"**/modules/{second.slug}/{second.lessons[halfway].slug}")
    assert page.get_by_role("heading", level=1).inner_text() == second.lessons[halfway].title
    assert_accessible(page)
    page.get_by_role("button", name="J'ai terminé cette leçon").click()
    page.wait_for_url(f"**/modules/{second.slug}/{second.lessons[halfway + 1].slug}")
    assert page.get_by_text("terminée.").first.is_visible()
    visit(page, "/tableau-de-bord")
    after = progress_text(page, second.slug)
    assert before == f"{halfway} leçons terminées sur {len(second.lessons)}"
    assert after == f"{halfway + 1} leçons terminées sur {len(second.lessons)}"


@pytest.mark.parametrize("width", [1280, 360])
def test_course_pages_are_accessible(learner, width):
    page = learner
    page.set_viewport_size({"width": width, "height": 800})
    for module in progress.catalogue().modules:
        visit(page, f"/modules/{module.slug}")
    visit(page, "/modules")
    for lesson in progress.catalogue().lessons():  # every lesson: tables, callouts, footnotes
        visit(page, f"/modules/{lesson.module_slug}/{lesson.slug}")
    assert_no_sideways_scroll(page, width)


@pytest.mark.parametrize("width", [1280, 360])
def test_pass_one_quiz_and_fail_another_with_the_keyboard(learner, width):
    page = learner
    page.set_viewport_size({"width": width, "height": 800})
    first, second = progress.catalogue().modules[2:4]
    visit(page, f"/modules/{first.slug}/quiz")
    assert_no_sideways_scroll(page, width)  # selects and long choices fit a phone too
    answer_with_keyboard(page, services.quizzes()[first.slug], right=True)
    page.wait_for_url("**/quiz/tentatives/*")
    assert page.get_by_role("heading", name=re.compile(r"Quiz réussi : 100\s%")).is_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page, width)

    visit(page, f"/modules/{second.slug}/quiz")
    answer_with_keyboard(page, services.quizzes()[second.slug], right=False)
    page.wait_for_url("**/quiz/tentatives/*")
    assert page.get_by_role("heading", name="Quiz pas encore réussi").is_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page, width)
    visit(page, f"/modules/{second.slug}")
    assert page.get_by_role("link", name="Refaire le quiz").is_visible()


@pytest.mark.parametrize("width", [1280, 360])
def test_a_refused_quiz_lists_every_missing_answer_accessibly(learner, width):
    """One question answered of the draw: the others are listed at the top, each linked to its
    question, which is marked; the answer given is still checked; axe at both widths."""
    page = learner
    page.set_viewport_size({"width": width, "height": 800})
    module = progress.catalogue().modules[0]
    quiz = services.quizzes()[module.slug]
    visit(page, f"/modules/{module.slug}/quiz")
    radio = page.locator("fieldset.cafeia-question input[type=radio]").first
    chosen = radio.get_attribute("id")
    radio.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Valider mes réponses").click()
    summary = page.get_by_role("alert")
    assert summary.get_by_text("Le quiz n'a pas été corrigé").is_visible()
    links = summary.get_by_role("link")
    assert links.count() == quiz.draw - 1
    assert page.locator(".fr-fieldset--error").count() == quiz.draw - 1
    assert page.locator(f"[id='{chosen}']").is_checked()  # the answer given is kept
    target = links.first.get_attribute("href")
    links.first.click()
    page.wait_for_function("hash => location.hash === hash", arg=target)
    assert page.locator(target).get_attribute("class").count("fr-fieldset--error") == 1
    assert "Question " in links.first.inner_text()
    assert_accessible(page)
    assert_no_sideways_scroll(page, width)


def test_answers_saved_for_later_come_back_in_the_browser(learner):
    page = learner
    module = progress.catalogue().modules[0]
    visit(page, f"/modules/{module.slug}/quiz")
    radio = page.locator("fieldset.cafeia-question input[type=radio]").first
    chosen = radio.get_attribute("id")
    page.locator(f"label[for='{chosen}']").click()  # the DSFR draws the radio on its label
    page.get_by_role("button", name="Enregistrer et finir plus tard").click()
    page.wait_for_url(f"**/modules/{module.slug}")
    assert page.get_by_text("Vos réponses sont enregistrées").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Reprendre le quiz").click()
    page.wait_for_url(f"**/modules/{module.slug}/quiz")
    assert page.locator(f"[id='{chosen}']").is_checked()
    assert page.get_by_text("Vos réponses enregistrées sont reprises").is_visible()
    assert_accessible(page)
