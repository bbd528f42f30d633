"""Pages, navigation, progress, resume and statements, on a small fixture catalogue."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from courses.models import LessonProgress, ModuleProgress
from courses.rendering import render_markdown
from lms.extensions import db
from lms.models import utcnow
from lms.xapi.models import StoredStatement
from tests.conftest import FIXTURE_CONTENT


@pytest.fixture
def app_config(tmp_path):
    return {"COURSES_CONTENT": str(FIXTURE_CONTENT), "QUIZ_BANKS": str(tmp_path)}  # no quiz


def verbs(user) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(StoredStatement)
        .where(StoredStatement.user_id == user.id)
        .order_by(StoredStatement.stored)
    )
    return [
        (r.verb.rsplit("/", 1)[1], r.object_id.removeprefix("http://cafeia.test/formation"))
        for r in rows
    ]


def complete(client, module, lesson):
    return client.submit(f"/modules/{module}/{lesson}/terminer")


# --- rendering ---------------------------------------------------------------------------------


def test_markdown_is_sanitised(app):
    with app.test_request_context():
        html = render_markdown(
            "Bonjour <script>alert('x')</script> <img src=x onerror=alert(1)> "
            "[piège](javascript:alert(1)) <a href='#' onclick='x()'>lien</a>\n\n## Titre"
        )
    assert "<script" not in html and "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html and "<img" not in html
    assert '<h2 id="titre">Titre</h2>' in html


def test_callouts_tables_and_internal_links_use_the_dsfr(app):
    with app.test_request_context():
        html = render_markdown(
            '[suite](lecon:module-deux/lecon-1)\n\n!!! tip "Astuce"\n    Texte.\n\n'
            "| a | b |\n|---|---|\n| 1 | 2 |\n"
        )
    assert 'href="/modules/module-deux/lecon-1"' in html
    assert 'class="fr-callout cafeia-callout--tip"' in html and 'class="fr-callout__title"' in html
    assert '<div class="fr-table">' in html and '<th scope="col">a</th>' in html


# --- pages and access --------------------------------------------------------------------------


def test_catalogue_is_public_and_shows_progress_when_logged_in(client, login_as):
    page = client.get("/modules").get_data(as_text=True)
    assert "Module un" in page and "<progress" not in page
    login_as()
    complete(client, "module-un", "lecon-1")
    page = client.get("/modules").get_data(as_text=True)
    assert '<progress id="catalogue-module-un" max="2" value="1">' in page


@pytest.mark.parametrize("url", ["/modules/module-un", "/modules/module-un/lecon-1", "/reprendre"])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/connexion" in response.location


def test_completing_needs_a_login_and_a_csrf_token(client, login_as):
    assert complete(client, "module-un", "lecon-1").status_code == 302  # to the login page
    user = login_as()
    assert client.post("/modules/module-un/lecon-1/terminer").status_code == 400
    assert db.session.scalar(select(LessonProgress).filter_by(user_id=user.id)) is None


@pytest.mark.parametrize(
    "url", ["/modules/inconnu", "/modules/module-un/inconnue", "/modules/module-deux/../module-un"]
)
def test_unknown_modules_and_lessons_are_404(client, login_as, url):
    login_as()
    assert client.get(url).status_code == 404
    assert client.submit(url + "/terminer").status_code in (404, 405)


def test_lesson_page_shows_objectives_sources_and_navigation(client, login_as):
    login_as()
    page = client.get("/modules/module-un/lecon-1").get_data(as_text=True)
    assert "Savoir 1" in page and "https://example.org" in page and "Pour aller plus loin" in page
    assert "J&#39;ai terminé cette leçon" in page or "J'ai terminé cette leçon" in page
    assert 'href="/modules/module-un/lecon-2"' in page
    assert "Durée estimée : 5 min" in page and "Temps de lecture : 1 min" in page


# --- progress, statements, resume --------------------------------------------------------------


def seen_ago(user, lesson_slug: str, minutes: int) -> None:
    """As if the person had last seen the lesson `minutes` ago."""
    db.session.execute(
        update(LessonProgress)
        .where(LessonProgress.user_id == user.id, LessonProgress.lesson_slug == lesson_slug)
        .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


def test_visiting_records_launched_once_and_experienced_once_per_reading(client, login_as):
    user = login_as()
    client.get("/modules/module-un/lecon-1")
    client.get("/modules/module-un/lecon-1")  # a reload: the same reading
    seen_ago(user, "lecon-1", 29)
    client.get("/modules/module-un/lecon-1")  # within half an hour: still the same
    seen_ago(user, "lecon-1", 31)
    client.get("/modules/module-un/lecon-1")  # later: a new reading
    assert verbs(user)[1:] == [
        ("launched", "/modules/module-un"),
        ("experienced", "/modules/module-un/lecons/lecon-1"),
        ("experienced", "/modules/module-un/lecons/lecon-1"),
    ]
    statement = json.loads(
        db.session.scalars(
            select(StoredStatement.payload).where(StoredStatement.verb.endswith("experienced"))
        ).first()
    )
    assert statement["context"]["contextActivities"]["parent"][0]["id"].endswith(
        "/modules/module-un"
    )


def test_finishing_all_lessons_completes_the_module_once(client, login_as):
    user = login_as()
    response = complete(client, "module-un", "lecon-1")
    assert response.location.endswith("/modules/module-un/lecon-2")
    response = complete(client, "module-un", "lecon-2")
    assert response.location.endswith("/modules/module-un")
    complete(client, "module-un", "lecon-2")  # twice: nothing more
    assert [v for v in verbs(user) if v[0] == "completed"] == [
        ("completed", "/modules/module-un/lecons/lecon-1"),
        ("completed", "/modules/module-un/lecons/lecon-2"),
        ("completed", "/modules/module-un"),
    ]
    module = db.session.scalar(select(ModuleProgress).filter_by(user_id=user.id))
    assert module.completed_at is not None
    page = client.get("/modules/module-un").get_data(as_text=True)
    assert "Module terminé" in page and page.count("Terminé</p>") == 2


def test_a_completion_requirement_holds_the_module_back(app, client, login_as):
    from lms import hooks

    def never(user, module):
        return False

    hooks.connect(app, hooks.COMPLETION_REQUIREMENT, never)
    try:
        login_as()
        complete(client, "module-un", "lecon-1")
        complete(client, "module-un", "lecon-2")
    finally:
        hooks.disconnect(app, hooks.COMPLETION_REQUIREMENT, never)
    assert db.session.scalar(select(ModuleProgress.completed_at)) is None


def test_a_reload_writes_nothing_but_a_return_moves_resume(client, login_as):
    user = login_as()
    client.get("/modules/module-un/lecon-1")
    client.get("/modules/module-un/lecon-2")
    first = db.session.scalar(select(LessonProgress.last_seen_at).filter_by(lesson_slug="lecon-2"))
    client.get("/modules/module-un/lecon-2")  # a reload
    db.session.expire_all()
    assert (
        db.session.scalar(select(LessonProgress.last_seen_at).filter_by(lesson_slug="lecon-2"))
        == first
    )
    client.get("/modules/module-un/lecon-1")  # back to the first lesson: resume follows
    assert client.get("/reprendre").location.endswith("/modules/module-un/lecon-1")
    assert [v for v in verbs(user) if v[0] == "experienced"] == [
        ("experienced", "/modules/module-un/lecons/lecon-1"),
        ("experienced", "/modules/module-un/lecons/lecon-2"),
    ]


def test_a_done_lesson_says_so_on_its_page(client, login_as):
    login_as()
    client.get("/modules/module-un/lecon-1")
    assert "Vous avez terminé" not in client.get("/modules/module-un/lecon-1").get_data(
        as_text=True
    )
    complete(client, "module-un", "lecon-1")
    page = client.get("/modules/module-un/lecon-1").get_data(as_text=True)  # a reload, and done
    assert "Vous avez terminé cette leçon." in page and "Terminée</span>" in page


def test_resume_opens_the_exact_lesson(client, login_as):
    login_as()
    assert client.get("/reprendre").location.endswith("/modules/module-un/lecon-1")
    client.get("/modules/module-deux/lecon-2")
    assert client.get("/reprendre").location.endswith("/modules/module-deux/lecon-2")
    complete(client, "module-deux", "lecon-2")  # done: resume moves to what is left
    assert client.get("/reprendre").location.endswith("/modules/module-un/lecon-1")
    dashboard = client.get("/tableau-de-bord").get_data(as_text=True)
    assert "Reprendre" in dashboard and "« Leçon 1 » (Module un)" in dashboard


def test_progress_survives_a_text_edit_and_orphans_are_reported(app, client, login_as, tmp_path):
    import shutil

    from courses import progress
    from courses.content import load_catalogue

    user = login_as()
    complete(client, "module-un", "lecon-1")
    edited = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, edited)
    lesson = edited / "m1" / "01-lecon-1.md"
    lesson.write_text(lesson.read_text().replace("Texte de la leçon 1.", "Un texte réécrit."))
    (edited / "m1" / "02-lecon-2.md").unlink()
    client.get("/modules/module-un/lecon-2")  # progress on the lesson about to disappear
    app.extensions["courses"] = load_catalogue(edited)
    states = {s.module.slug: s for s in progress.overview(user)}
    assert states["module-un"].states == {"lecon-1": "done"}
    assert progress.orphaned_progress() == [("module-un", "lecon-2", 1)]
    result = app.test_cli_runner().invoke(args=["courses", "check"])
    assert result.exit_code == 1 and "module-un/lecon-2 (1 personne(s)" in result.output


def test_my_data_includes_progress(client, login_as):
    login_as()
    complete(client, "module-un", "lecon-1")
    export = client.get("/mon-compte/donnees.json").json
    assert export["progression"][0]["lecon"] == "lecon-1" and export["progression"][0]["terminee"]
