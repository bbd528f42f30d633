"""The lessons' manipulations in Chromium, keyboard only, at 1280 and 360 px: the script sends
each form in the background (the page is not reloaded, the focus stays on the control used) and
axe-core finds nothing on the block as it is redrawn; and without JavaScript, the same forms
answered by the server. The Nu checker reads every page loaded (the `page` fixture)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, keep_served_html, log_in, tab_to, visit

WIDTHS = [1280, 360]
LANGUAGE = "/modules/histoire-ia/apprentissage-profond"
CREPES = "/modules/donnees-algorithmes/algorithme-recette-de-crepes"
SPAM = "/modules/donnees-algorithmes/comment-une-machine-apprend"
BIAS = "/modules/donnees-algorithmes/d-ou-viennent-les-biais"
TASKS = "/modules/ia-travail/des-taches-pas-des-metiers"


@pytest.fixture
def learner(page, create_user, request):
    width = request.node.callspec.params["width"]
    page.set_viewport_size({"width": width, "height": 800})
    user = create_user()
    log_in(page, user.email, PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    return page


def open_lesson(page, path: str):
    visit(page, path)
    # A mark on the window: still there after a manipulation, the page was not reloaded.
    page.evaluate("window.sansRechargement = true")


def press(page, element_id: str, key: str = "Enter"):
    """Reach the control with Tab, press the key, wait for the block to be redrawn."""
    tab_to(page, element_id, limit=600)
    page.keyboard.press(key)


def redrawn(page, block: str, text: str):
    """The block shows `text`, without a reload, and axe finds nothing on the page."""
    page.locator(f"#manipulation-{block}").get_by_text(text).first.wait_for()
    assert page.evaluate("window.sansRechargement === true"), "la page a été rechargée"
    assert_accessible(page)


def focused(page) -> str:
    return page.evaluate("document.activeElement.id")


def no_sideways_scroll(page, width: int):
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


@pytest.mark.parametrize("width", WIDTHS)
def test_next_word_probabilities_and_a_draw(learner, width):
    page = learner
    open_lesson(page, LANGUAGE)
    tab_to(page, "mot-suivant-debut", limit=600)
    page.keyboard.press("Control+A")
    page.keyboard.type("la machine")
    page.keyboard.press("Enter")
    redrawn(page, "mot-suivant", "Après « machine »")
    bars = page.locator("#manipulation-mot-suivant .cafeia-bars li")
    assert bars.count() == 3 and "33,3" in bars.first.inner_text()
    assert focused(page) == "mot-suivant-debut"
    press(page, "mot-suivant-tirer")
    redrawn(page, "mot-suivant", "Mot tiré au sort")
    assert focused(page) == "mot-suivant-tirer"
    value = page.locator("#mot-suivant-debut").input_value()
    assert value.split()[:2] == ["la", "machine"] and len(value.split()) == 3
    no_sideways_scroll(page, width)


ORDER_FIELD = "document.querySelector(\"input[name='ordre-crepes-ordre']\")"


def order_of(page) -> str:
    return page.evaluate(f"{ORDER_FIELD}.value")


@pytest.mark.parametrize("width", WIDTHS)
def test_crepe_recipe_put_in_order_with_the_keyboard(learner, width):
    page = learner
    open_lesson(page, CREPES)
    press(page, "ordre-crepes-verifier")
    redrawn(page, "ordre-crepes", "3 enchaînements à revoir")
    # From 4,1,6,3,5,2: step 1 up once, 2 up four times, 3 up twice, 5 up once.
    for step, times in ((1, 1), (2, 4), (3, 2), (5, 1)):
        tab_to(page, f"ordre-crepes-monter-{step}", limit=600)
        for _ in range(times):
            before = order_of(page)
            page.keyboard.press("Enter")
            page.wait_for_function(f"() => {ORDER_FIELD}.value !== {before!r}")
            assert focused(page).endswith(f"-{step}")  # the focus followed the step
    assert order_of(page) == "1,2,3,4,5,6"
    press(page, "ordre-crepes-verifier")
    redrawn(page, "ordre-crepes", "Bravo : c’est l’ordre de la recette.")
    no_sideways_scroll(page, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_spam_threshold_with_the_slider_and_the_number(learner, width):
    page = learner
    open_lesson(page, SPAM)
    slider = page.locator("#seuil-spam-curseur")
    assert slider.is_visible()  # shown by the script
    tab_to(page, "seuil-spam-curseur", limit=600)
    page.keyboard.press("Home")
    redrawn(page, "seuil-spam", "Avec un seuil de 0,")
    figures = page.locator("#manipulation-seuil-spam .cafeia-keyfigures")
    assert "5 sur 5" in figures.inner_text()
    assert page.locator("#seuil-spam-seuil").input_value() == "0"
    tab_to(page, "seuil-spam-seuil")
    page.keyboard.press("Control+A")
    page.keyboard.type("61")
    page.keyboard.press("Enter")
    redrawn(page, "seuil-spam", "Avec un seuil de 61,")
    text = figures.inner_text()
    assert "4 sur 5" in text and "0 sur 5" in text  # 4 caught, no real mail lost
    no_sideways_scroll(page, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_bias_appears_with_a_skewed_training_set(learner, width):
    page = learner
    open_lesson(page, BIAS)
    press(page, "biais-photos-jeu-desequilibre")
    redrawn(page, "biais-photos", "Résultat sur les huit photos de test")
    rows = page.locator("#manipulation-biais-photos tbody tr")
    assert [rows.nth(i).inner_text().split("\t")[-1] for i in range(4)] == [
        "0 sur 2",
        "2 sur 2",
        "0 sur 2",
        "2 sur 2",
    ]
    # Add the two missing garden cats and indoor dogs with the space bar, train again.
    for key in ("a5", "a6", "b5", "b6"):
        press(page, f"biais-photos-photo-{key}", " ")
    press(page, "biais-photos-entrainer")
    redrawn(page, "biais-photos", "Aucune erreur")
    no_sideways_scroll(page, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_sorting_tasks_with_the_keyboard(learner, width):
    page = learner
    open_lesson(page, TASKS)
    tab_to(page, "tri-taches-rappel-automatisable", limit=600)
    page.keyboard.press("Space")  # « automatisable »: right
    page.keyboard.press("Tab")  # the next task's group: « automatisable » there is wrong
    page.keyboard.press("Space")
    press(page, "tri-taches-verifier")
    redrawn(page, "tri-taches", "classée comme nous le proposons")
    block = page.locator("#manipulation-tri-taches")
    assert block.locator(".fr-message--valid").count() == 1
    assert "Plutôt augmentée que automatisable" in block.locator(".fr-message--error").inner_text()
    assert block.locator(".fr-message--info").count() == 4
    no_sideways_scroll(page, width)


def test_without_javascript_the_server_answers_the_forms(
    browser, live_server, create_user, served_html, request
):
    # No axe nor Tab walk here: both run scripts in the page, which this tab refuses.
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    finish = keep_served_html(page, served_html, request.node.name)
    user = create_user()
    page.goto("/connexion")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/tableau-de-bord")
    page.goto(SPAM)
    expect(page.locator("#seuil-spam-curseur")).to_be_hidden()  # the slider needs the script
    page.get_by_label("Seuil du filtre, de 0 à 100").fill("65")
    page.get_by_label("Seuil du filtre, de 0 à 100").press("Enter")
    page.wait_for_url("**seuil-spam-seuil=65#activite-seuil-spam")
    expect(page.locator("#manipulation-seuil-spam .cafeia-keyfigures")).to_contain_text("3 sur 5")
    page.goto(CREPES)
    page.locator("#ordre-crepes-monter-1").press("Enter")
    page.wait_for_url("**ordre-crepes-monter=1**")
    expect(page.locator("input[name='ordre-crepes-ordre']")).to_have_value("1,4,6,3,5,2")
    finish()
    context.close()
