"""The lessons' figures and the modules' sheets in Chromium, at 360 and 1280 px: axe finds
nothing, the timeline and the diagram stay inside the screen (no sideways scrolling), their
text alternatives are there, and the sheet's HTML version and download link are reachable."""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, visit

TIMELINE = "/modules/histoire-ia/demeler-vrai-faux"
DIAGRAM = "/modules/donnees-algorithmes/comment-une-machine-apprend"

# The right edge of the figure's widest descendant, and the page's own width, in CSS pixels.
WIDEST = """selector => {
  const figure = document.querySelector(selector);
  const rights = [...figure.querySelectorAll('*')].map(e => e.getBoundingClientRect().right);
  return {right: Math.max(...rights), page: document.documentElement.scrollWidth};
}"""


def assert_inside(page, selector: str, width: int) -> None:
    found = page.evaluate(WIDEST, selector)
    assert found["page"] <= width, f"{page.url} déborde : {found['page']} px pour {width}"
    assert found["right"] <= width, f"{selector} sort de l'écran : {found['right']} px"


@pytest.mark.parametrize("width", [360, 1280])
def test_the_figures_are_accessible_and_stay_on_screen(page, create_user, width):
    user = create_user()
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, user.email, PASSWORD)
    page.wait_for_url("**/tableau-de-bord")

    visit(page, TIMELINE)
    timeline = page.locator("#activite-frise-histoire figure")
    assert timeline.locator("figcaption").is_visible()
    items = timeline.locator("ol.cafeia-timeline > li")
    assert items.count() == 21
    # Real or fiction is said in words on every milestone, not by colour alone.
    badges = [b.strip() for b in timeline.locator(".fr-badge").all_text_contents()]
    assert len(badges) == 21 and set(badges) == {"Réalité", "Fiction", "Supercherie"}
    assert_inside(page, "#activite-frise-histoire", width)

    visit(page, DIAGRAM)
    diagram = page.locator("#activite-donnees-modele-prediction figure")
    assert "Pendant l’utilisation, ce modèle figé" in diagram.locator("figcaption").inner_text()
    assert diagram.get_by_text("Une prédiction", exact=True).is_visible()
    assert_inside(page, "#activite-donnees-modele-prediction", width)


def test_the_diagram_keeps_its_arrows_in_forced_colours(browser, live_server, create_user):
    """High contrast: the arrows are borders, which forced colours paint in the text colour."""
    context = browser.new_context(base_url=live_server, forced_colors="active")
    page = context.new_page()
    try:
        user = create_user()
        # Signed in without axe: forced colours are the browser's, not the page's, palette.
        page.goto("/connexion")
        page.get_by_label("Adresse électronique").fill(user.email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_label("Mot de passe").press("Enter")
        page.wait_for_url("**/tableau-de-bord")
        page.goto(DIAGRAM)
        arrow = page.locator(".cafeia-flow__arrow").first
        colour = arrow.evaluate("e => getComputedStyle(e).borderTopColor")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert colour != background and colour not in ("rgba(0, 0, 0, 0)", "transparent")
    finally:
        context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_sheet_is_linked_from_the_module_and_its_html_version_is_clean(
    page, create_user, width
):
    user = create_user()
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, user.email, PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    visit(page, "/modules/ia-travail")
    link = page.get_by_role("link", name="Télécharger la fiche du module (PDF)")
    assert "Une page A4 –" in link.inner_text() and link.get_attribute("download") is not None
    page.get_by_role("link", name="Lire la fiche en version texte").click()
    page.wait_for_url("**/modules/ia-travail/fiche")
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.get_by_role("heading", name="Une question pour ouvrir le débat").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
