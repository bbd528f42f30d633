"""At start-up, progress on lessons the content no longer has is reported in the log."""

import logging
import shutil

import pytest

from cafeia import create_app
from courses.models import LessonProgress
from lms.extensions import db
from tests.conftest import FIXTURE_CONTENT, make_config


@pytest.fixture
def without_lecon_2(tmp_path):
    """The fixture content with module-un's second lesson removed."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    (root / "m1" / "02-lecon-2.md").unlink()
    return root


def progress_on(users, module_slug, lesson_slug):
    db.session.add_all(
        LessonProgress(user_id=u.id, module_slug=module_slug, lesson_slug=lesson_slug)
        for u in users
    )
    db.session.commit()


def start(caplog, uri, **config):
    caplog.clear()
    with caplog.at_level(logging.INFO):
        create_app(make_config(uri, **config))
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_progress_on_a_removed_lesson_is_reported_without_naming_anyone(
    app, create_user, caplog, without_lecon_2
):
    people = [create_user(), create_user()]
    progress_on(people, "module-un", "lecon-2")
    progress_on(people[:1], "module-un", "lecon-1")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    (warning,) = start(caplog, uri, COURSES_CONTENT=str(without_lecon_2))
    message = warning.getMessage()
    assert "Leçon disparue du contenu : module-un/lecon-2 (2 personne(s)" in message
    assert "lecon-1" not in message
    for person in people:  # counts only: no e-mail, name or id in the log
        assert person.email not in caplog.text and person.last_name not in caplog.text
        assert f"user_id={person.id}" not in caplog.text
    assert start(caplog, uri) == []  # the full content: nothing to report


def test_a_database_without_tables_does_not_stop_the_start(tmp_path, caplog):
    # As before `flask lms init-db`: nothing to check yet.
    assert start(caplog, f"sqlite:///{tmp_path / 'vide.sqlite3'}") == []


def test_an_unreachable_database_does_not_stop_the_start(tmp_path, caplog):
    assert start(caplog, f"sqlite:///{tmp_path / 'absent' / 'x.sqlite3'}") == []
    assert "Progression non vérifiée au démarrage" in caplog.text
