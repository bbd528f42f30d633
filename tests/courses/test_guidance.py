"""The guidance is right in every state a learner can be in: the dashboard's « Prochaine étape »
never points to a lesson already done, and the status page says what is really missing."""

import html
import re

import pytest

from certificates import status
from courses import progress
from quizzes import services as quizzes
from quizzes.demo import right_answers
from tests.helpers import publish, readiness_form


def text(page) -> str:
    return " ".join(html.unescape(page.get_data(as_text=True)).split())


def next_step(client) -> str:
    """The « Votre parcours » callout of the dashboard, as text, with its button's link."""
    page = client.get("/tableau-de-bord").get_data(as_text=True)
    callout = page.split("Votre parcours", 1)[1].split("</div>", 1)[0]
    links = re.findall(r'href="([^"]+)"', callout)
    return (
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", callout)).split()) + " → " + " ".join(links)
    )


def finish_lessons(client, modules):
    for module in modules:
        for lesson in module.lessons:
            client.submit(f"/modules/{module.slug}/{lesson.slug}/terminer")


def pass_quiz(client, module):
    quiz = quizzes.quizzes()[module.slug]
    page = client.get(f"/modules/{module.slug}/quiz").get_data(as_text=True)
    attempt = page.split('name="attempt" value="')[1].split('"')[0]
    answers = right_answers(quiz, attempt).to_dict(flat=False)
    sent = client.submit(f"/modules/{module.slug}/quiz", {"attempt": attempt, **answers})
    return text(client.get(sent.location))


def no_lesson_link(step: str):
    lessons = [
        f"/modules/{m.slug}/{lesson.slug}"
        for m in progress.catalogue().modules
        for lesson in m.lessons
    ]
    assert not any(link in step for link in lessons), step


@pytest.mark.parametrize("validation", [False, True])
def test_every_state_of_a_learner_has_the_right_next_step(
    app, client, login_as, create_user, validation
):
    app.config["REQUIRE_TRAINER_VALIDATION"] = validation
    learner = login_as()
    modules = progress.catalogue().modules
    first = modules[0]

    # Nothing done: start, never « resume ».
    step = next_step(client)
    assert "Commencer la formation" in step and "Reprendre" not in step
    assert f"/modules/{first.slug}/{first.lessons[0].slug}" in step
    assert "Commencer la formation" in text(client.get("/mon-statut"))

    # The first readiness only: the results page offers to start.
    client.submit("/positionnement", readiness_form(2))
    results = text(client.get("/positionnement/avant-apres"))
    assert "Commencer la formation" in results and "positionnement final" not in results
    assert "Commencer la formation" in next_step(client)

    # Mid-module: resume at the next lesson.
    client.submit(f"/modules/{first.slug}/{first.lessons[0].slug}/terminer")
    step = next_step(client)
    assert "Reprendre" in step and f"« {first.lessons[1].title} »" in step
    assert "Reprendre la formation" in text(client.get("/mon-statut"))
    assert "Reprendre la formation" in text(client.get("/positionnement/avant-apres"))

    # Every lesson, no quiz yet: the first quiz, not a lesson already done.
    finish_lessons(client, modules)
    step = next_step(client)
    assert "Passer le quiz" in step and f"/modules/{first.slug}/quiz" in step
    no_lesson_link(step)

    # Every quiz passed, no final readiness: do it; the status page does not speak of confidence.
    for index, module in enumerate(modules):
        if module.slug in quizzes.quizzes():
            result = pass_quiz(client, module)
            # After a passed quiz: the next module, or after the last one the status page.
            following = modules[index + 1].title if index + 1 < len(modules) else None
            assert ("Module suivant" in result) == bool(following), module.slug
            assert following is not None or "Voir mon statut" in result
    step = next_step(client)
    assert "Faire mon positionnement final" in step and "/positionnement" in step
    no_lesson_link(step)
    page = text(client.get("/mon-statut"))
    assert "Il vous reste votre positionnement final" in page
    assert "la confiance" not in page and "Refaire" not in page
    assert "Faire mon positionnement final" in text(client.get("/positionnement/avant-apres"))

    # A final readiness with low confidence: now the confidence is what is missing.
    client.submit("/positionnement", readiness_form(5, animer=2))
    page = text(client.get("/mon-statut"))
    assert "il vous manque seulement la confiance" in page
    assert "Refaire mon positionnement final" in page
    step = next_step(client)
    assert "confiance" in step and "/mon-statut" in step
    no_lesson_link(step)

    client.submit("/positionnement", readiness_form(5))
    if validation:  # awaiting a formateur's validation
        assert status.status_of(learner) == status.ELIGIBLE
        step = next_step(client)
        assert "attend la validation" in step and "/mon-statut" in step
        status.validate(learner, create_user(role="formateur"))
    assert status.status_of(learner) == status.CERTIFIED

    # Certified: the annuaire, then the agenda of cafés; never a lesson.
    step = next_step(client)
    assert "Créer ma fiche dans l'annuaire" in step and "/annuaire/ma-fiche" in step
    no_lesson_link(step)
    assert publish(client).status_code == 302
    step = next_step(client)
    assert "Annoncer un Café IA" in step and "/mes-cafes/nouveau" in step

    # Revoked: the status page, to see why; restored: back to the cafés.
    admin = create_user(role="admin")
    status.revoke(learner, admin, "Motif de test")
    step = next_step(client)
    assert "révoqué" in step and "/mon-statut" in step
    status.restore(learner, admin, "Rétabli après échange")
    assert "Annoncer un Café IA" in next_step(client)
