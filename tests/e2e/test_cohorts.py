"""A formateur in a browser: create a cohort, import learners, follow them; axe on every page."""

import re

from playwright.sync_api import expect

from cohorts.models import Cohort
from lms.demo import DEMO_PASSWORD, load_demo
from lms.extensions import db
from lms.models import User
from tests.e2e.conftest import assert_accessible, log_in, visit

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
    cohort = db.session.scalar(db.select(Cohort).where(Cohort.name == BRETAGNE))
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
    cohort = db.session.scalar(db.select(Cohort).where(Cohort.name == BRETAGNE))
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


def cohort_named(name: str) -> Cohort:
    return db.session.scalar(db.select(Cohort).where(Cohort.name == name))


BRETAGNE = "Bretagne — printemps 2027"


def test_the_everyday_pages_at_both_widths(app, page):
    """Each page the formateur's everyday actions added or changed, axe at 360 and 1280 px."""
    load_demo()
    bretagne, finistere = cohort_named(BRETAGNE), cohort_named("Finistère — automne 2026")
    hugo = db.session.scalar(db.select(User).where(User.email == "hugo.marchand@exemple.fr"))
    ines = db.session.scalar(db.select(User).where(User.email == "ines.robert@exemple.fr"))
    log_in(page, "formateur@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/formateur")
    base = f"/formateur/cohortes/{bretagne.id}"
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        visit(page, "/formateur")
        expect(page.get_by_role("heading", name="Cohortes archivées")).to_be_visible()
        visit(page, base)
        expect(page.get_by_role("row").filter(has_text="Robert Inès")).to_contain_text(
            "jamais commencé"
        )
        expect(page.get_by_role("row").filter(has_text="Henry Paul")).to_contain_text(
            "inactif depuis 30 jours"
        )
        visit(page, base + "?filtre=jamais-commence")
        visit(page, f"{base}/modifier")
        expect(page.get_by_role("button", name="Retirer Sophie Durand")).to_be_visible()
        visit(page, f"{base}/apprenants/{hugo.id}")
        expect(page.get_by_role("button", name="Renvoyer l'invitation")).to_be_visible()
        visit(page, f"{base}/apprenants/{ines.id}/retrait")
        visit(page, f"{base}/import")
        visit(page, f"{base}/questions")
        visit(page, f"/formateur/cohortes/{finistere.id}")
        expect(page.get_by_role("heading", name="Cohorte archivée le")).to_be_visible()


def test_copy_the_link_replace_it_close_it(app, page):
    load_demo()
    bretagne = cohort_named(BRETAGNE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "formateur@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/formateur")
    visit(page, f"/formateur/cohortes/{bretagne.id}")
    field = page.get_by_label("Lien d'invitation à partager")
    link = field.input_value()
    assert link.endswith(f"/cohortes/rejoindre/{bretagne.invite_code}")
    page.get_by_role("button", name="Copier le lien").click()
    expect(page.get_by_role("status").filter(has_text="Lien copié")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert_accessible(page)
    page.get_by_role("button", name="Remplacer le lien").click()
    expect(page.get_by_text("Nouveau lien d'invitation créé")).to_be_visible()
    assert_accessible(page)
    assert page.get_by_label("Lien d'invitation à partager").input_value() != link
    page.get_by_role("button", name="Fermer le lien").click()
    expect(page.get_by_text("Lien d'invitation fermé")).to_be_visible()
    assert_accessible(page)
    db.session.expire_all()
    page.goto(f"/cohortes/rejoindre/{cohort_named(BRETAGNE).invite_code}")
    expect(page.get_by_text("Ce lien d'invitation a été fermé")).to_be_visible()
    assert_accessible(page)


def test_without_javascript_the_link_is_in_a_read_only_field(app, browser, live_server):
    load_demo()
    bretagne = cohort_named(BRETAGNE)
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.goto("/connexion")
    page.get_by_label("Adresse électronique").fill("formateur@exemple.fr")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/formateur/cohortes/{bretagne.id}")
    field = page.get_by_label("Lien d'invitation à partager")
    expect(field).to_be_visible()
    expect(field).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Copier le lien")).to_be_hidden()
    context.close()


def test_remove_a_learner_resend_an_invitation_choose_a_password(app, page, mailbox):
    load_demo()
    bretagne = cohort_named(BRETAGNE)
    hugo = db.session.scalar(db.select(User).where(User.email == "hugo.marchand@exemple.fr"))
    log_in(page, "formateur@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/formateur")
    visit(page, f"/formateur/cohortes/{bretagne.id}")
    page.get_by_role("link", name="Robert Inès").click()
    page.get_by_role("link", name="Retirer Inès Robert de la cohorte").click()
    expect(page.get_by_role("heading", name="Retirer Inès Robert de la cohorte")).to_be_visible()
    page.get_by_role("button", name="Retirer Inès Robert").click()
    expect(page.get_by_text("Inès Robert ne fait plus partie de la cohorte")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_role("link", name="Robert Inès")).to_have_count(0)
    visit(page, f"/formateur/cohortes/{bretagne.id}/apprenants/{hugo.id}")
    page.get_by_role("button", name="Renvoyer l'invitation").click()
    expect(page.get_by_text("Invitation renvoyée à Hugo Marchand")).to_be_visible()
    assert_accessible(page)
    assert [m["To"] for m in mailbox] == ["ines.robert@exemple.fr", "hugo.marchand@exemple.fr"]
    text = mailbox[1].get_content()
    link = re.search(r"http://\S+(/cohortes/bienvenue/\S+)", text).group(1)
    page.context.clear_cookies()  # Hugo opens his e-mail elsewhere, signed in as nobody
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        visit(page, link)
        expect(page.get_by_role("heading", name="Bienvenue, Hugo")).to_be_visible()
    page.get_by_label("Nouveau mot de passe").fill("un mot de passe solide")
    page.get_by_label("Confirmation").fill("un mot de passe solide")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.get_by_text("Votre mot de passe est enregistré")).to_be_visible()
    assert_accessible(page)
