"""Every write two requests may make at once: the second gets the result of the first.

A race here is several test clients sharing one session cookie (tabs of one browser) that a
barrier releases together. A rendezvous inside the service then holds each request after its
read until all have read: every request sees « nothing there yet », so the race is run every
time rather than now and then. Each race runs on the suite's database and again on PostgreSQL
(marker `postgres`), where transactions truly overlap. A double submit, one request after the
other, must give the same answer as the first too.
"""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from annuaire import services as annuaire
from annuaire.models import Listing
from certificates import readiness, status
from certificates.demo import certify
from certificates.models import ReadinessAnswer, StatusChange
from cohorts import services as cohorts
from cohorts.models import CohortMember
from courses import progress
from courses.models import LessonProgress, ModuleProgress
from lms.extensions import db
from lms.models import utcnow
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import VERBS
from quizzes import services as quizzes
from quizzes.models import QuizAttempt
from tests.helpers import (
    LISTING,
    MY_LISTING,
    ON_BOTH,
    TABS,
    at_once,
    codes,
    count,
    on,
    readiness_form,
    rendezvous,
    statements,
    submit_all,
    tabs,
)

FIRST_LESSON = "/modules/module-un/lecon-1"
# module-deux has two lessons and no quiz: finishing its lessons completes it.
LAST_LESSON = "/modules/module-deux/lecon-2"


# --- courses: opening and completing lessons -----------------------------------------------------


@ON_BOTH
def test_a_first_lesson_opened_in_tabs_at_once_launches_the_module_once(
    app, client, login_as, monkeypatch, database
):
    on(database)
    login_as()
    rendezvous(monkeypatch, progress, "_module_row")
    responses = at_once(tabs(app, client), lambda tab: tab.get(FIRST_LESSON))
    assert codes(responses) == {200}
    assert count(ModuleProgress) == 1 and count(LessonProgress) == 1
    assert statements("launched", "modules", "module-un") == 1
    # One reading, however many tabs (courses.progress.REVISIT).
    assert statements("experienced", "modules", "module-un", "lecons", "lecon-1") == 1


def test_a_first_lesson_opened_twice_launches_the_module_once(client, login_as):
    login_as()
    first, second = client.get(FIRST_LESSON), client.get(FIRST_LESSON)
    assert first.status_code == second.status_code == 200
    assert count(ModuleProgress) == 1 and count(LessonProgress) == 1
    assert statements("launched", "modules", "module-un") == 1
    assert statements("experienced", "modules", "module-un", "lecons", "lecon-1") == 1


def _first_lesson_done(client):
    client.get("/modules/module-deux/lecon-1")
    client.submit("/modules/module-deux/lecon-1/terminer")
    client.get(LAST_LESSON)


@ON_BOTH
def test_finishing_a_lesson_in_tabs_at_once_records_it_once(
    app, client, login_as, monkeypatch, database
):
    on(database)
    login_as()
    _first_lesson_done(client)
    rendezvous(monkeypatch, progress, "_lesson_row")
    responses = at_once(tabs(app, client), submit_all(LAST_LESSON + "/terminer"))
    assert codes(responses) == {302}
    assert {r.headers["Location"] for r in responses} == {"/modules/module-deux"}
    assert statements("completed", "modules", "module-deux", "lecons", "lecon-2") == 1
    assert statements("completed", "modules", "module-deux") == 1
    assert count(LessonProgress, LessonProgress.completed_at.is_not(None)) == 2


def test_finishing_a_lesson_twice_records_it_once(client, login_as):
    login_as()
    _first_lesson_done(client)
    first = client.submit(LAST_LESSON + "/terminer")
    second = client.submit(LAST_LESSON + "/terminer")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert statements("completed", "modules", "module-deux", "lecons", "lecon-2") == 1
    assert statements("completed", "modules", "module-deux") == 1


@ON_BOTH
def test_the_last_two_lessons_finished_in_two_tabs_complete_the_module_once(
    app, client, login_as, monkeypatch, database
):
    """Each request's own lesson is done, the other's not yet committed: the lock on the
    module's row makes the second read the first before it decides."""
    on(database)
    login_as()
    for lesson in ("lecon-1", "lecon-2"):
        client.get(f"/modules/module-deux/{lesson}")
    if db.engine.dialect.name == "postgresql":
        # Both have written their lesson before either looks at the module. (SQLite has one
        # writer: the second request waits at its first write, so it cannot get this far.)
        rendezvous(monkeypatch, progress, "_module_row", parties=2)
    two_tabs = tabs(app, client, 2)
    lessons = dict(zip(two_tabs, ("lecon-1", "lecon-2"), strict=True))
    responses = at_once(
        two_tabs, lambda tab: tab.submit(f"/modules/module-deux/{lessons[tab]}/terminer")
    )
    assert codes(responses) == {302}
    assert statements("completed", "modules", "module-deux") == 1
    assert count(ModuleProgress, ModuleProgress.completed_at.is_not(None)) == 1


# --- cohorts: joining ----------------------------------------------------------------------------


def _invitation(create_user) -> str:
    cohort = cohorts.create(create_user(role="formateur"), name="Morbihan printemps")
    return f"/cohortes/rejoindre/{cohort.invite_code}"


@ON_BOTH
def test_joining_a_cohort_in_tabs_at_once_enrols_once(
    app, client, login_as, create_user, monkeypatch, database
):
    on(database)
    login_as()
    url = _invitation(create_user)
    rendezvous(monkeypatch, cohorts, "is_member")
    responses = at_once(tabs(app, client), submit_all(url))
    assert codes(responses) == {302}
    assert count(CohortMember) == 1


def test_joining_a_cohort_twice_enrols_once(client, login_as, create_user):
    login_as()
    url = _invitation(create_user)
    first, second = client.submit(url), client.submit(url)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(CohortMember) == 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "Vous faites déjà partie de la cohorte « Morbihan printemps »." in page


# --- quizzes: the attempt in progress ------------------------------------------------------------

QUIZ = "/modules/module-un/quiz"


def _attempt_shown(response) -> str:
    return response.get_data(as_text=True).split('name="attempt" value="')[1].split('"')[0]


@ON_BOTH
def test_a_quiz_opened_in_tabs_at_once_shows_one_attempt(
    app, client, login_as, monkeypatch, database
):
    on(database)
    login_as()
    rendezvous(monkeypatch, quizzes, "_layout")  # drawn once none was found, before the insert
    responses = at_once(tabs(app, client), lambda tab: tab.get(QUIZ))
    assert codes(responses) == {200}
    assert len({_attempt_shown(r) for r in responses}) == 1
    assert count(QuizAttempt) == 1
    assert statements("attempted", "modules", "module-un", "quiz") == 1


def test_a_quiz_opened_twice_shows_the_same_attempt(client, login_as):
    login_as()
    assert _attempt_shown(client.get(QUIZ)) == _attempt_shown(client.get(QUIZ))
    assert count(QuizAttempt) == 1
    assert statements("attempted", "modules", "module-un", "quiz") == 1


def test_the_database_keeps_one_attempt_in_progress(app, create_user):
    from sqlalchemy.exc import IntegrityError

    user = create_user()
    for submitted_at in (utcnow(), utcnow(), None):  # graded ones: as many as the person makes
        db.session.add(
            QuizAttempt(
                user_id=user.id, module_slug="module-un", layout={}, submitted_at=submitted_at
            )
        )
    db.session.commit()
    db.session.add(QuizAttempt(user_id=user.id, module_slug="module-un", layout={}))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# --- readiness -----------------------------------------------------------------------------------

READINESS = "/positionnement"


def _readiness_page_token(client) -> str:
    page = client.get(READINESS).get_data(as_text=True)
    return page.split('name="envoi" value="')[1].split('"')[0]


@ON_BOTH
def test_a_readiness_form_sent_from_tabs_at_once_is_kept_once(
    app, client, login_as, monkeypatch, database
):
    on(database)
    login_as()
    form = {**readiness_form(3), "envoi": _readiness_page_token(client)}
    rendezvous(monkeypatch, readiness, "_already_saved")
    responses = at_once(tabs(app, client), submit_all(READINESS, form))
    assert codes(responses) == {302}
    assert count(ReadinessAnswer) == len(readiness.readiness().statements)
    assert statements("answered", "positionnement", "animer") == 1


def test_a_readiness_form_sent_twice_is_kept_once_and_a_new_page_counts_again(client, login_as):
    login_as()
    form = {**readiness_form(3), "envoi": _readiness_page_token(client)}
    first, second = client.submit(READINESS, form), client.submit(READINESS, form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    answered = len(readiness.readiness().statements)
    assert count(ReadinessAnswer) == answered
    # Taking it again from a new page is a new answer, as before: the latest counts.
    retake = {**readiness_form(4), "envoi": _readiness_page_token(client)}
    assert client.submit(READINESS, retake).status_code == 302
    assert count(ReadinessAnswer) == 2 * answered
    assert statements("answered", "positionnement", "animer") == 2


def test_a_readiness_form_without_its_token_is_still_kept(client, login_as):
    login_as()
    for token in (None, "court", "x" * 65):
        form = readiness_form(3) if token is None else {**readiness_form(3), "envoi": token}
        assert client.submit(READINESS, form).status_code == 302
    assert count(ReadinessAnswer) == 3 * len(readiness.readiness().statements)


def test_a_readiness_page_sent_back_with_an_error_keeps_its_token(client, login_as):
    login_as()
    token = _readiness_page_token(client)
    incomplete = {"r-animer": "4", "envoi": token}
    page = client.submit(READINESS, incomplete)
    assert page.status_code == 422
    assert f'name="envoi" value="{token}"' in page.get_data(as_text=True)


# --- annuaire: the first listing ----------------------------------------------------------------


@ON_BOTH
def test_a_first_listing_sent_from_tabs_at_once_is_created_once(
    app, client, login_as, monkeypatch, database
):
    on(database)
    certify(login_as())
    rendezvous(monkeypatch, annuaire, "listing_of")
    responses = at_once(tabs(app, client), submit_all(MY_LISTING, LISTING))
    assert codes(responses) == {302}
    assert count(Listing) == 1


def test_a_first_listing_sent_twice_is_created_once(client, login_as):
    certify(login_as())
    first = client.submit(MY_LISTING, LISTING)
    second = client.submit(MY_LISTING, {**LISTING, "commune": "Vannes"})
    assert first.status_code == second.status_code == 302
    assert count(Listing) == 1
    assert db.session.scalar(select(Listing.commune)) == "Vannes"


# --- status: revoking and restoring --------------------------------------------------------------


def _revocation(create_user, login_as) -> tuple[str, object]:
    person = create_user()
    certify(person)
    login_as("admin")
    return f"/admin/animateurs/{person.id}", person


@ON_BOTH
def test_a_status_revoked_from_tabs_at_once_is_revoked_once(
    app, client, login_as, create_user, monkeypatch, database
):
    on(database)
    url, person = _revocation(create_user, login_as)
    rendezvous(monkeypatch, status, "certificate_of")
    responses = at_once(tabs(app, client), submit_all(url + "/revoquer", {"reason": "Abus"}))
    # The winner says « Statut révoqué. », the others what a later click would: nothing to do.
    assert sorted(r.status_code for r in responses) == [302] + [303] * (TABS - 1)
    assert count(StatusChange, StatusChange.status == status.REVOKED) == 1
    assert count(StoredStatement, StoredStatement.verb == VERBS["voided"][0]) == 1
    assert status.status_of(person) == status.REVOKED


def test_a_status_revoked_twice_then_restored_twice_changes_once_each(
    client, login_as, create_user
):
    url, person = _revocation(create_user, login_as)
    for action, state in (("revoquer", status.REVOKED), ("retablir", status.RESTORED)):
        first = client.submit(f"{url}/{action}", {"reason": "Motif"})
        second = client.submit(f"{url}/{action}", {"reason": "Motif"})
        assert (first.status_code, second.status_code) == (302, 303)
        assert first.headers["Location"] == second.headers["Location"]
        assert count(StatusChange, StatusChange.status == state) == 1
    assert status.status_of(person) == status.CERTIFIED


# --- the migration: data written before the guards -----------------------------------------------


def test_the_migration_keeps_the_newest_of_attempts_opened_twice(app, create_user):
    """Production may already hold two open attempts of one quiz: upgrading keeps the newest."""
    user = create_user()
    downgrade(revision="8b2d4e6f1a93")
    table = QuizAttempt.__table__
    rows = [
        {"user_id": user.id, "module_slug": "module-un", "layout": {}, "score": 90.0},
        {"user_id": user.id, "module_slug": "module-un", "layout": {}},
        {"user_id": user.id, "module_slug": "module-un", "layout": {}},
        {"user_id": user.id, "module_slug": "module-deux", "layout": {}},
    ]
    ids = [db.session.execute(table.insert().values(**row)).inserted_primary_key[0] for row in rows]
    db.session.execute(table.update().where(table.c.id == ids[0]).values(submitted_at=utcnow()))
    db.session.commit()
    upgrade()
    assert set(db.session.scalars(select(QuizAttempt.id))) == {ids[0], ids[2], ids[3]}
