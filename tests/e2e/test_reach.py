"""The cafés' reach and the shared syntheses in a browser, at 360 and 1280 px: axe finds
nothing, the filters work with the keyboard, the tables' key columns stay on screen."""

from datetime import date

import pytest
from playwright.sync_api import expect

from cafes.models import SUBMITTED, CafeReport, ReportTheme
from lms.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, visit

KEY_CELLS_OFF_SCREEN = """width => [...document.querySelectorAll('table')].flatMap(table =>
  [...table.querySelectorAll('tr')].slice(0, 6).flatMap(row =>
    [...row.querySelectorAll('th[scope=row], .cafeia-key')].map(cell => cell.getBoundingClientRect())
  )).filter(box => box.left < 0 || box.right > width + 0.5).length"""


@pytest.fixture
def admin(page, create_user):
    """Six cafés reported in Ille-et-Vilaine, one with a shared synthesis; an admin logged in."""
    for n in range(6):
        report = CafeReport(
            held_on=date(2026, 3, 2 + n), departement_code="35", region="Bretagne",
            audience="tout_public", format="presentiel", participants=10 + n, status=SUBMITTED,
            share_synthesis=n == 0, synthesis="On a parlé des assistants." if n == 0 else "",
        )  # fmt: skip
        report.themes = [ReportTheme(code="prise_en_main", label="")]
        db.session.add(report)
    db.session.commit()
    person = create_user(role="admin", email="anct-cafes@exemple.fr")
    log_in(page, person.email, PASSWORD)
    page.wait_for_url(lambda url: "/connexion" not in url)
    return person


@pytest.mark.parametrize("width", [360, 1280])
def test_the_reach_page_and_the_syntheses(page, admin, width):
    page.set_viewport_size({"width": width, "height": 800})
    visit(page, "/admin/statistiques/cafes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cafés tenus et personnes touchées")
    expect(page.get_by_role("table", name="Par département")).to_be_attached()
    expect(page.locator("svg.cafeia-map path")).to_have_count(96)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(KEY_CELLS_OFF_SCREEN, width) == 0
    visit(page, "/admin/statistiques/syntheses")
    expect(page.get_by_text("On a parlé des assistants.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_filtering_by_territory_with_the_keyboard(page, admin):
    visit(page, "/admin/statistiques/cafes")
    page.get_by_label("Région").select_option("Bretagne")
    page.get_by_label("Département", exact=True).select_option("75")
    page.get_by_role("button", name="Appliquer les filtres").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Ce département est en Île-de-France")
    assert_accessible(page)
    page.get_by_label("Département", exact=True).select_option("35")
    page.get_by_role("button", name="Appliquer les filtres").press("Enter")
    page.wait_for_url("**departement=35**")
    expect(page.get_by_text("dans le département Ille-et-Vilaine")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Synthèses des cafés").click()
    page.wait_for_url("**/syntheses?region=Bretagne&departement=35")
    expect(page.get_by_text("On a parlé des assistants.")).to_be_visible()
