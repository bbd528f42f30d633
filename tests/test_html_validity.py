"""Every HTML page of the URL map, as every role, passes the Nu HTML checker with no error.

The routes come from `app.url_map` itself (as in test_fuzz_urls), so a new page is checked the
day it is added; the real training content is used, so every lesson's Markdown is checked too.
Error pages (403, 404, a form refused) are HTML that people read as well.
"""

import pytest
from sqlalchemy import select

from certificates import status
from certificates.demo import certify
from cohorts import services as cohorts
from courses.progress import catalogue
from lms.extensions import db
from quizzes import services as quizzes
from quizzes.models import QuizAttempt
from referents.models import Assignment
from tests.conftest import PASSWORD
from tests.e2e.conftest import REAL_CONTENT
from tests.helpers import ROLES, rules, url_for_rule, write_listing
from tests.vnu import html_errors, require_checker

# Not pages: files, feeds and APIs, checked by their own tests.
NOT_PAGES = {"static", "dsfr"}


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False, **REAL_CONTENT}


@pytest.fixture
def world(app, create_user):
    """Real objects behind every path parameter, for the pages to show something."""
    require_checker()
    people = {role: create_user(role=role) for role in ROLES[1:]}
    # A référent: an apprenant who follows Bretagne (région 53), as tests/test_roles.py's log_in.
    referent = people["referent"] = create_user(role="apprenant")
    db.session.add(Assignment(user_id=referent.id, kind="region", code="53", reason="Test."))
    learner = people["apprenant"]
    certify(learner)
    cohort = cohorts.create(people["formateur"], name="Cohorte vérifiée")
    cohorts.join(cohort, learner)
    module = catalogue().modules[0]
    attempt = quizzes.current_attempt(learner, quizzes.quizzes()[module.slug])
    listing = write_listing(learner, display_name="Animatrice")
    db.session.commit()
    return {
        "people": people,
        "values": {
            "user_id": str(learner.id),
            "cohort_id": str(cohort.id),
            "listing_id": str(listing.id),
            "attempt_id": str(attempt.id),
            "module_slug": module.slug,
            "lesson_slug": module.lessons[0].slug,
            "token": "jeton-inconnu",
        },
        "results": [
            f"/modules/{a.module_slug}/quiz/tentatives/{a.id}"
            for a in db.session.scalars(
                select(QuizAttempt).where(
                    QuizAttempt.user_id == learner.id, QuizAttempt.submitted_at.is_not(None)
                )
            )
        ],
        "codes": {
            "cohorts.join": cohort.invite_code,
            "default": status.certificate_of(learner).code,
        },
    }


@pytest.fixture
def clients(app, world):
    clients = {role: app.test_client() for role in (*ROLES, "referent")}
    for role, person in world["people"].items():
        clients[role].submit("/connexion", {"email": person.email, "password": PASSWORD})
    return clients


def html_pages(app, world, clients) -> dict[str, str]:
    """What each role is shown at every GET route, at every module, lesson and quiz, and at
    the learner's quiz results."""
    urls = [
        url_for_rule(rule, endpoint, world)
        for endpoint, _, rule in rules(app, methods=("GET",))
        if endpoint not in NOT_PAGES
    ]
    for module in catalogue().modules:
        urls += [f"/modules/{module.slug}", f"/modules/{module.slug}/quiz"]
        urls += [f"/modules/{module.slug}/{lesson.slug}" for lesson in module.lessons]
    urls += [*world["results"], "/page-inconnue", "/verifier/code-inconnu"]
    pages = {}
    for role, client in clients.items():
        for url in urls:
            response = client.get(url)
            # A redirect's body is Werkzeug's, and nobody sees it: its target is checked.
            if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
                pages[f"{role} GET {url} ({response.status_code})"] = response.get_data(
                    as_text=True
                )
    return pages


def test_every_page_passes_the_nu_html_checker(app, world, clients):
    pages = html_pages(app, world, clients)
    assert len(pages) > 200 and world["results"]
    assert "referent GET /mon-territoire (200)" in pages  # the référent's own pages too
    if errors := html_errors(pages):
        pytest.fail(f"Nu HTML checker, {len(errors)} erreurs :\n" + "\n".join(errors))


def test_refused_forms_pass_the_nu_html_checker(app, world, clients):
    """A form sent back with its errors (aria-describedby, error messages) is valid too."""
    refused = {}
    for url in ("/inscription", "/connexion", "/mot-de-passe-oublie"):
        response = clients["anonyme"].submit(url, {"email": "pas-une-adresse"})
        refused[f"anonyme POST {url} ({response.status_code})"] = response.get_data(as_text=True)
    for url in ("/mon-compte", "/mon-compte/mot-de-passe", "/formateur/cohortes/nouvelle"):
        response = clients["formateur"].submit(url, {"email": "pas-une-adresse", "name": ""})
        refused[f"formateur POST {url} ({response.status_code})"] = response.get_data(as_text=True)
    response = clients["apprenant"].submit("/positionnement", {})
    refused[f"apprenant POST /positionnement ({response.status_code})"] = response.get_data(
        as_text=True
    )
    lesson = catalogue().modules[0].lessons[0]  # a check sent without an answer
    check = next(block for block in lesson.blocks if block.kind == "question")
    url = f"/modules/{lesson.module_slug}/{lesson.slug}/activites/{check.id}"
    response = clients["apprenant"].submit(url, {})
    refused[f"apprenant POST {url} ({response.status_code})"] = response.get_data(as_text=True)
    assert all(
        page.startswith("<!DOCTYPE") or page.startswith("<!doctype") for page in refused.values()
    )
    if errors := html_errors(refused):
        pytest.fail(f"Nu HTML checker, {len(errors)} erreurs :\n" + "\n".join(errors))
