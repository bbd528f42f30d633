"""A check and a reflection note inside a real lesson, in Chromium, with the keyboard only, at
1280 and 360 px: the answer goes to the server without JavaScript's help, the page comes back on
the feedback with the focus on it, and axe-core finds nothing at each step. The Nu checker reads
every page loaded (the `page` fixture)."""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, tab_to, visit

LESSON = "/modules/histoire-ia/machines-imaginees"
CHECK = "activite-verif-ecrivain"
NOTE = "activite-note-images"


@pytest.fixture(params=[1280, 360], ids=lambda width: f"{width}px")
def learner(request, page, create_user):
    page.set_viewport_size({"width": request.param, "height": 800})
    user = create_user()
    log_in(page, user.email, PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    return page


def focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def choose_with_arrows(page, block: str, label: str) -> None:
    """Enter the radio group with Tab (on its checked radio, else its first), then move with
    the arrows, which go round the group."""
    radios = page.locator(f"#{block} input[type=radio]")
    ids = [radios.nth(i).get_attribute("id") for i in range(radios.count())]
    checked = [i for i in ids if page.locator(f"#{i}").is_checked()]
    start = checked[0] if checked else ids[0]
    wanted = page.locator(f"#{block}").get_by_label(label, exact=True).get_attribute("id")
    tab_to(page, start, limit=600)
    for _ in range((ids.index(wanted) - ids.index(start)) % len(ids)):
        page.keyboard.press("ArrowDown")  # moves the focus and checks
    if wanted == start:
        page.keyboard.press("Space")
    assert page.locator(f"#{wanted}").is_checked()


def test_a_check_answered_with_the_keyboard(learner):
    page = learner
    visit(page, LESSON)
    legend = page.locator(f"#{CHECK} legend")
    assert "Dans quelle famille le ranger" in legend.inner_text()
    choose_with_arrows(page, CHECK, "La supercherie")
    tab_to(page, f"{CHECK}-envoyer")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(f"**{LESSON}#{CHECK}-retour")
    assert focused(page) == f"{CHECK}-retour"  # the feedback has the focus
    feedback = page.locator(f"#{CHECK}-retour")
    assert "Ce n’est pas la bonne réponse" in feedback.inner_text()
    assert "Turc mécanique" in feedback.inner_text()  # the chosen option's feedback
    assert_accessible(page)  # the page as it now is, feedback shown
    choose_with_arrows(page, CHECK, "La réalité technique")
    tab_to(page, f"{CHECK}-envoyer")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(f"**{LESSON}#{CHECK}-retour")
    assert "Bonne réponse" in page.locator(f"#{CHECK}-retour").inner_text()
    assert_accessible(page)


def test_a_reflection_note_written_with_the_keyboard_and_found_in_my_notes(learner):
    page = learner
    visit(page, LESSON)
    tab_to(page, f"{NOTE}-note", limit=600)
    page.keyboard.type("HAL, dans 2001 : l'Odyssée de l'espace. De la fiction.")
    page.keyboard.press("Tab")
    assert focused(page) == f"{NOTE}-envoyer"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(f"**{LESSON}#{NOTE}-retour")
    assert focused(page) == f"{NOTE}-retour"
    assert_accessible(page)
    assert page.locator(f"#{NOTE}-note").input_value().startswith("HAL, dans 2001")
    visit(page, "/mes-notes")
    assert "HAL, dans 2001" in page.locator("main").inner_text()
    # Erasing them all asks for a ticked confirmation, also with the keyboard.
    tab_to(page, "effacer-tout-envoyer", limit=600)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Cochez la case" in page.locator("#effacer-tout").inner_text()
    assert_accessible(page)
    tab_to(page, "confirmer-effacement", limit=600)
    page.keyboard.press("Space")
    tab_to(page, "effacer-tout-envoyer")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Vous n’avez encore aucune note." in page.locator("main").inner_text()
    assert_accessible(page)
