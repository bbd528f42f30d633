"""National statistics in a browser: an admin reads every page and filters, axe finds nothing."""

import pytest
from playwright.sync_api import expect

from lms.accounts.services import find_by_email
from stats.demo import national_learners
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, visit

PAGES = {
    "/admin/statistiques": "Statistiques nationales",
    "/admin/statistiques/territoires": "Statistiques par territoire",
    "/admin/statistiques/publics": "Statistiques par profil, structure et cohorte",
    "/admin/statistiques/positionnement": "Positionnement avant et après la formation",
    "/admin/statistiques/questions": "Analyse des questions des quiz",
}


@pytest.fixture
def admin(page, create_user):
    """The demo's synthetic France, and an admin logged in."""
    national_learners(find_by_email)
    person = create_user(role="admin", email="anct@exemple.fr")
    log_in(page, person.email, PASSWORD)
    page.wait_for_url(lambda url: "/connexion" not in url)
    return person


def test_every_statistics_page_is_accessible(page, admin):
    for path, title in PAGES.items():
        visit(page, path)
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        assert page.locator("table caption").count() >= 1
    visit(page, "/admin/statistiques/territoires?carte=certifies")
    expect(page.locator("svg.cafeia-map path")).to_have_count(96)


def test_charts_are_images_with_their_tables(page, admin):
    visit(page, "/admin/statistiques")
    charts = page.locator("svg.cafeia-chart[role=img]")
    assert charts.count() >= 3
    expect(page.get_by_role("img", name="Entonnoir du parcours")).to_be_visible()
    expect(page.get_by_role("table", name="Le parcours, étape par étape")).to_be_visible()
    page.locator("summary", has_text="Le tableau des semaines").click()
    expect(page.get_by_role("table", name="Inscriptions et certifications, semaine par semaine")).to_be_visible()  # fmt: skip
    assert_accessible(page)


def test_filtering_by_region_with_the_keyboard(page, admin):
    visit(page, "/admin/statistiques")
    page.get_by_label("Région").select_option("Bretagne")
    page.get_by_role("button", name="Appliquer les filtres").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**region=Bretagne**")
    expect(page.get_by_text("de la région Bretagne")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Territoires").click()
    page.wait_for_url("**/territoires?region=Bretagne")
    expect(page.get_by_label("Région")).to_have_value("Bretagne")
    assert_accessible(page)


def test_a_bad_period_is_explained_next_to_its_field(page, admin):
    visit(page, "/admin/statistiques")
    page.get_by_label("Inscrit·es à partir du").fill("2026-03-01")
    page.get_by_label("Jusqu'au").fill("2026-02-01")
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page.get_by_role("alert")).to_contain_text("La fin de la période doit suivre son début.")
    expect(page.get_by_label("Jusqu'au")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_the_dashboard_on_a_phone(page, admin):
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/admin/statistiques", "/admin/statistiques/territoires"):
        visit(page, path)
