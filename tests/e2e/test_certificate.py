"""From the last quiz to the certificate and its public verification, in a browser."""

import io
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

from certificates import readiness, status
from courses import progress
from lms.accounts.services import find_by_email
from lms.demo import DEMO_PASSWORD, load_demo
from quizzes import services as quizzes
from quizzes.demo import right_answers
from tests.e2e.conftest import answer_with_keyboard, assert_accessible, log_in, visit


def everything_but_the_last_quiz(user) -> None:
    readiness.save(user, readiness.INITIAL, dict.fromkeys(readiness.readiness().statements, 2))
    modules = progress.catalogue().modules
    for module in modules:
        for lesson in module.lessons:
            progress.complete_lesson(user, module, lesson)
    for module in modules[:-1]:
        quiz = quizzes.quizzes()[module.slug]
        quizzes.submit(user, quiz, quizzes.current_attempt(user, quiz), right_answers(quiz))


def test_from_the_last_quiz_to_a_verified_certificate(app, page):
    load_demo()
    learner = find_by_email("apprenant@exemple.fr")
    everything_but_the_last_quiz(learner)
    log_in(page, learner.email, DEMO_PASSWORD)
    last = progress.catalogue().modules[-1]

    visit(page, f"/modules/{last.slug}/quiz")
    answer_with_keyboard(page, quizzes.quizzes()[last.slug], right=True)
    page.wait_for_url("**/quiz/tentatives/*")
    visit(page, "/tableau-de-bord")
    page.get_by_role("link", name="Faire mon positionnement final").click()
    page.wait_for_url("**/positionnement")
    assert_accessible(page)
    for statement_id in readiness.readiness().statements:
        page.locator(f"label[for='r-{statement_id}-5']").click()
    page.get_by_role("button", name="Enregistrer mon positionnement").click()
    page.wait_for_url("**/mon-statut")
    expect(
        page.get_by_role("heading", name="Félicitations, vous êtes animateur·rice Café IA")
    ).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mon attestation (PDF)").click()
    code = status.certificate_of(learner).code
    pdf = Path(download.value.path()).read_bytes()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert code in "".join(text.split())

    page.get_by_role("link", name="Voir la page publique de vérification").click()
    page.wait_for_url(f"**/verifier/{code}")
    expect(page.get_by_role("heading", name="Attestation valide")).to_be_visible()
    assert_accessible(page)
    visit(page, "/positionnement/avant-apres")
    expect(page.locator("svg[role='img']")).to_be_visible()


def test_status_pages_are_accessible(app, page):
    load_demo()
    log_in(page, "admin@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    animatrice = find_by_email("animatrice@exemple.fr")
    visit(page, f"/admin/animateurs/{animatrice.id}")
    page.get_by_role("button", name="Révoquer").click()  # no reason: refused, accessibly
    expect(page.locator(".fr-error-text")).to_be_visible()
    assert_accessible(page)
    for path in ["/verifier", "/mon-statut", "/positionnement", "/positionnement/avant-apres"]:
        visit(page, path)
    page.goto("/verifier/code-inconnu")
    assert_accessible(page)


def test_a_hesitant_learner_sees_what_to_do_and_her_formateur(app, page):
    load_demo()
    trainer = find_by_email("formateur@exemple.fr")
    log_in(page, "sonia.faure@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/tableau-de-bord")
    visit(page, "/mon-statut")
    expect(page.get_by_text("Presque : il vous manque seulement la confiance")).to_be_visible()
    expect(page.get_by_text(trainer.full_name)).to_be_visible()
    expect(page.get_by_text("Bretagne — printemps 2027", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="Refaire mon positionnement final")).to_be_visible()
