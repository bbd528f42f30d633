"""A formateur in a browser: create a cohort, import learners, follow them; axe on every page."""

from playwright.sync_api import expect

from cohorts.models import Cohort
from lms.demo import DEMO_PASSWORD, load_demo
from lms.extensions import db
from tests.e2e.conftest import assert_accessible, visit
from tests.e2e.test_journeys import log_in

CSV = (
    "email;prenom;nom;structure;departement\n"
    "lucie.brun@exemple.fr;Lucie;Brun;Médiathèque de Vitré;35\n"
    "omar.diallo@exemple.fr;Omar;Diallo;Centre social;35\n"
)


def test_create_import_and_follow(app, page, tmp_path, mailbox):
    load_demo()
    log_in(page, "formateur@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/formateur")
    assert_accessible(page)
    page.get_by_role("link", name="Créer une cohorte").click()
    assert_accessible(page)
    page.get_by_label("Nom de la cohorte").fill("Ille-et-Vilaine automne 2027")
    page.get_by_label("Territoire").fill("Ille-et-Vilaine")
    page.get_by_role("button", name="Créer la cohorte").click()
    expect(page.get_by_role("heading", name="Ille-et-Vilaine automne 2027")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Importer un fichier CSV").click()
    assert_accessible(page)
    file = tmp_path / "apprenants.csv"
    file.write_text(CSV, encoding="utf-8")
    page.get_by_label("Fichier CSV").set_input_files(str(file))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_text("2 ligne(s) valide(s)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("Import terminé : 2 nouveau(x) compte(s) inscrit(s)")).to_be_visible()
    assert sorted(m["To"] for m in mailbox) == ["lucie.brun@exemple.fr", "omar.diallo@exemple.fr"]
    page.get_by_role("link", name="Brun Lucie").click()
    expect(page.get_by_role("heading", name="Lucie Brun")).to_be_visible()
    assert_accessible(page)


def test_demo_cohort_pages_are_accessible(app, page):
    load_demo()
    cohort = db.session.scalar(db.select(Cohort))
    log_in(page, "formateur@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/formateur")
    for path in ["", "?filtre=bloques", "/modifier"]:
        visit(page, f"/formateur/cohortes/{cohort.id}{path}")
    visit(page, f"/formateur/cohortes/{cohort.id}")
    page.get_by_role("link", name="Faure Sonia").click()
    # Everything done but her confidence (3/5): in training, validation required or not.
    expect(page.locator("p.fr-text--lead strong")).to_have_text("En formation")
    assert_accessible(page)
    visit(page, f"/formateur/cohortes/{cohort.id}")
    page.get_by_role("link", name="Résultats par question des quiz").click()
    expect(
        page.get_by_role("heading", name=f"Résultats par question — {cohort.name}")
    ).to_be_visible()
    expect(page.locator("caption").first).to_contain_text("ont rendu ce quiz")
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 740})
    visit(page, f"/formateur/cohortes/{cohort.id}")
    visit(page, f"/formateur/cohortes/{cohort.id}/questions")


def test_joining_by_link(app, page):
    load_demo()
    cohort = db.session.scalar(db.select(Cohort))
    visit(page, f"/cohortes/rejoindre/{cohort.invite_code}")
    page.get_by_role("link", name="Me connecter").click()
    page.get_by_label("Adresse électronique").fill("admin@exemple.fr")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    page.wait_for_url(f"**/cohortes/rejoindre/{cohort.invite_code}")
    assert_accessible(page)
    page.get_by_role("button", name="Rejoindre la cohorte").click()
    expect(page.get_by_text(f"Vous avez rejoint la cohorte « {cohort.name} »")).to_be_visible()


def test_an_invited_learner_accepts_with_the_keyboard_at_both_widths(app, page):
    """Camille, in the demo, is invited to a cohort: she answers on « Mes cohortes »."""
    load_demo()
    log_in(page, "apprenant@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    assert_accessible(page)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        visit(page, "/mes-cohortes")
    accept = page.get_by_role("button", name="Accepter et rejoindre « Morbihan — automne 2027 »")
    accept.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Cohortes rejointes")).to_be_visible()
    expect(page.get_by_role("button", name="Quitter « Morbihan — automne 2027 »")).to_be_visible()
    assert_accessible(page)
