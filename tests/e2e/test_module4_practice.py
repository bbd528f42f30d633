"""Module 4 as practice, in Chromium at 1280 and 360 px, keyboard only, axe-core on every state:
a scene played to its end and again, and « Préparer mon premier café » filled, saved, printed,
and announced once the learner is certified."""

import pytest

from certificates.demo import certify
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, tab_to, visit

WIDTHS = [1280, 360]
SCENES = "/modules/animer-cafe-ia/situations-delicates"


@pytest.fixture
def learner(page, create_user, request):
    page.set_viewport_size({"width": request.node.callspec.params["width"], "height": 800})
    user = create_user()
    log_in(page, user.email, PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    return page, user


def choose_with_keyboard(page, radio_id: str, submit_text: str):
    """Tab to the radio, check it with Space, then Tab on to the button and press Enter."""
    tab_to(page, radio_id, limit=800)
    page.keyboard.press("Space")
    assert page.locator(f"#{radio_id}").is_checked()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == submit_text:
            break
    assert page.evaluate("document.activeElement.textContent.trim()") == submit_text
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def no_sideways_scroll(page, width: int):
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


@pytest.mark.parametrize("width", WIDTHS)
def test_a_scene_is_played_with_the_keyboard(learner, width):
    page, _ = learner
    visit(page, SCENES)
    # Two reactions in a row: the first leads to a follow-up step.
    choose_with_keyboard(page, "activite-scene-monopole-debut-couper", "Valider ma réaction")
    scene = page.locator("#activite-scene-monopole")
    scene.get_by_text("À éviter.").wait_for()
    assert page.evaluate("document.activeElement.id") == "activite-scene-monopole-retour"
    assert_accessible(page)
    choose_with_keyboard(
        page, "activite-scene-monopole-apres-coupure-excuser", "Valider ma réaction"
    )
    scene.get_by_text("Bon réflexe.").wait_for()
    scene.get_by_text("Fin de la scène.").wait_for()
    assert_accessible(page)
    no_sideways_scroll(page, width)
    tab_to(page, "activite-scene-monopole-retour", limit=800)
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Rejouer la scène":
            break
    assert page.evaluate("document.activeElement.textContent.trim()") == "Rejouer la scène"
    page.keyboard.press("Enter")
    page.locator("#activite-scene-monopole-debut-reformuler").wait_for()  # back to the start
    assert "Fin de la scène." not in scene.inner_text()
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_planner_is_filled_saved_printed_and_announced(learner, width):
    page, user = learner
    visit(page, "/modules/animer-cafe-ia")
    page.get_by_role("link", name="Préparer mon café").click()
    page.wait_for_url("**/preparer-mon-cafe")
    assert_accessible(page)
    tab_to(page, "title", limit=400)
    page.keyboard.type("Café IA du jeudi")
    tab_to(page, "commune", limit=100)
    page.keyboard.type("Rennes")
    tab_to(page, "steps-1-minutes", limit=200)
    page.keyboard.press("Control+A")
    page.keyboard.type("20")
    tab_to(page, "enregistrer-plan", limit=400)
    page.keyboard.press("Enter")
    page.wait_for_url("**/preparer-mon-cafe/*")
    page.get_by_text("Votre plan est enregistré.").wait_for()
    assert page.locator("#steps-1-minutes").input_value() == "20"
    assert page.locator("#annonce-reservee").is_visible()  # not certified: it says why
    assert_accessible(page)
    no_sideways_scroll(page, width)
    plan_url = page.url
    page.get_by_role("link", name="Version à imprimer").click()
    page.get_by_text("95 minutes en tout").wait_for()
    assert_accessible(page)
    no_sideways_scroll(page, width)
    certify(user)
    visit(page, plan_url)
    tab_to(page, "annoncer-ce-cafe", limit=400)
    page.keyboard.press("Enter")
    page.wait_for_url("**/annoncer")
    assert page.locator("#title").input_value() == "Café IA du jeudi"
    assert page.locator("#commune").input_value() == "Rennes"
    assert_accessible(page)
