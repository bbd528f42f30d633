"""The learner's guidance in a browser, at 1280 and 360 px: « Commencer la formation » for a new
account, the final readiness when it is what is missing, the annuaire once certified (never a
lesson already done), the attestation's button with its words, and a pasted verification link."""

import pytest
from playwright.sync_api import expect

from certificates import readiness, status
from courses import progress
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, visit
from tests.helpers import certify, complete_course

WIDTHS = [1280, 360]


def no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def signed_in(page, create_user, width, prepare=lambda person: None):
    """A new person, `prepare`d before they sign in (the dashboard is where sign-in lands)."""
    page.set_viewport_size({"width": width, "height": 800})
    person = create_user()
    prepare(person)
    log_in(page, person.email, PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    page.wait_for_load_state()
    return person


@pytest.mark.parametrize("width", WIDTHS)
def test_a_new_account_is_told_to_start_and_lands_on_the_first_lesson(
    app, page, create_user, width
):
    signed_in(page, create_user, width)
    assert_accessible(page)
    no_horizontal_overflow(page)
    parcours = page.locator(".fr-callout", has_text="Votre parcours")
    expect(parcours.get_by_role("link", name="Reprendre")).to_have_count(0)
    parcours.get_by_role("link", name="Commencer la formation").click()
    first = progress.catalogue().modules[0]
    page.wait_for_url(f"**/modules/{first.slug}/{first.lessons[0].slug}")
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_after_the_modules_the_final_readiness_is_what_is_missing(app, page, create_user, width):
    person = signed_in(page, create_user, width)
    readiness.save(person, readiness.INITIAL, dict.fromkeys(readiness.readiness().statements, 2))
    complete_course(person)
    visit(page, "/mon-statut")
    no_horizontal_overflow(page)
    expect(page.get_by_text("Il vous reste votre positionnement final")).to_be_visible()
    expect(page.get_by_text("la confiance")).to_have_count(0)
    visit(page, "/tableau-de-bord")
    parcours = page.locator(".fr-callout", has_text="Votre parcours")
    parcours.get_by_role("link", name="Faire mon positionnement final").click()
    page.wait_for_url("**/positionnement")
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_certified_animateur_is_sent_forward_and_sees_the_attestation_button(
    app, page, create_user, width
):
    person = signed_in(page, create_user, width, certify)
    assert_accessible(page)
    no_horizontal_overflow(page)
    parcours = page.locator(".fr-callout", has_text="Votre parcours")
    expect(parcours).to_contain_text("rejoindre l'annuaire")
    parcours.get_by_role("link", name="Créer ma fiche dans l'annuaire").click()
    page.wait_for_url("**/annuaire/ma-fiche")
    assert_accessible(page)

    visit(page, "/mon-statut")
    no_horizontal_overflow(page)
    button = page.get_by_role("link", name="Télécharger mon attestation (PDF)")
    expect(button).to_be_visible()
    expect(button).to_have_text("Télécharger mon attestation (PDF)")
    box = button.bounding_box()
    assert box["width"] > 150 and box["x"] + box["width"] <= width
    # The words are painted: the text is not hidden, clipped or transparent.
    assert button.evaluate("b => getComputedStyle(b).color !== 'rgba(0, 0, 0, 0)'")
    assert button.evaluate("b => b.scrollWidth <= b.clientWidth + 1")
    code = status.certificate_of(person).code
    expect(page.locator("code", has_text=code)).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_whole_verification_link_pasted_in_the_field(app, page, create_user, width):
    person = signed_in(page, create_user, width, certify)
    code = status.certificate_of(person).code
    visit(page, "/verifier")
    page.get_by_label("Code de l'attestation").fill(f"https://cafeia.test/verifier/{code.lower()}")
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url(f"**/verifier/{code}")
    expect(page.get_by_role("heading", name="Attestation valide")).to_be_visible()
    assert_accessible(page)
    no_horizontal_overflow(page)
    visit(page, "/verifier")
    page.get_by_label("Code de l'attestation").fill(" ".join(code.replace("-", "").lower()))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url(f"**/verifier/{code}")
    expect(page.get_by_role("heading", name="Attestation valide")).to_be_visible()
