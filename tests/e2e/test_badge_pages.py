"""The badge's two public pages in a browser: what it certifies, and « Vérifier un badge
numérique » with a good badge, a forged one and nothing at all; axe at 360 and 1280 px."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from certificates.demo import certify
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, visit


def forged(token: str) -> str:
    """The same badge with one character of its payload changed: its signature no longer holds."""
    header, payload, signature = token.split(".")
    middle = len(payload) // 2
    changed = "B" if payload[middle] == "A" else "A"
    return f"{header}.{payload[:middle]}{changed}{payload[middle + 1 :]}.{signature}"


@pytest.mark.parametrize("width", [1280, 360])
def test_a_badge_from_the_status_page_to_its_verification(app, page, create_user, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 800})
    holder = create_user()
    certify(holder)
    log_in(page, holder.email, PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    visit(page, "/mon-statut")
    expect(page.get_by_text("Votre badge numérique est un fichier")).to_be_visible()
    # The attestation's button shows its words, not its icon alone (a DSFR group rule).
    pdf = page.get_by_role("link", name="Télécharger mon attestation (PDF)")
    assert pdf.bounding_box()["width"] > 150
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mon badge numérique (Open Badges 3.0)").click()
    token = Path(download.value.path()).read_text()

    page.get_by_role("link", name="ce qu'il atteste").click()
    page.wait_for_url("**/badges/animateur-cafe-ia")
    expect(page.get_by_role("heading", level=1)).to_have_text("Animateur·rice Café IA")
    expect(page.get_by_role("heading", name="Critères d'obtention")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="vérifiez qu'il est authentique et toujours valable").click()
    page.wait_for_url("**/badges/verification")
    assert_accessible(page)
    page.get_by_role("button", name="Vérifier le badge").click()  # nothing given
    expect(
        page.get_by_text("Collez le contenu du badge ou choisissez son fichier.")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Contenu du badge").fill(token)
    page.get_by_role("button", name="Vérifier le badge").click()
    expect(page.get_by_role("heading", name="Badge authentique et valable")).to_be_visible()
    expect(page.get_by_text(holder.full_name)).to_be_visible()
    assert_accessible(page)

    badge_file = tmp_path / "badge-animateur-cafe-ia.jwt"
    badge_file.write_text(forged(token))
    page.get_by_label("Ou fichier du badge").set_input_files(badge_file)
    page.get_by_role("button", name="Vérifier le badge").click()
    expect(page.get_by_role("heading", name="Badge non authentique")).to_be_visible()
    assert_accessible(page)
