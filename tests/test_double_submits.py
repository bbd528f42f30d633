"""The same form sent twice, or from tabs at once: the second gets the result of the first.

The races and their helpers are those of tests/test_races.py: clients sharing a session (tabs
of one browser) released by a barrier, a rendezvous inside the service so that every request
reads before any writes, on the suite's database and on PostgreSQL (marker `postgres`). Here:
signing up, reminding a cohort, hiding a listing, handing in a quiz, validating a parcours.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from annuaire import services as annuaire
from annuaire.models import Listing
from certificates import status
from certificates.demo import certify
from certificates.models import StatusChange, TrainerValidation
from cohorts import services as cohorts
from cohorts import views as cohort_views
from cohorts.models import CohortMember, Reminder
from lms.accounts import services as accounts
from lms.extensions import db
from lms.models import User, utcnow
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import VERBS
from quizzes import grading
from quizzes import services as quizzes
from quizzes.demo import right_answers
from quizzes.models import QuestionAnswer, QuizAttempt
from tests.conftest import PASSWORD
from tests.helpers import (
    LISTING,
    MY_LISTING,
    ON_BOTH,
    TABS,
    VALID,
    at_once,
    codes,
    count,
    flashed,
    on,
    rendezvous,
    statements,
    submit_all,
    tabs,
)

# --- signing up ----------------------------------------------------------------------------------

SIGN_UP = "/inscription"
CLAIRE = VALID  # the sign-up form of tests/lms/test_accounts.py
TAKEN = "Un compte existe déjà avec cette adresse."


def registered() -> int:
    return count(StoredStatement, StoredStatement.verb == VERBS["registered"][0])


def logged_in(tab) -> bool:
    return tab.get("/tableau-de-bord").status_code == 200


@ON_BOTH
def test_a_sign_up_sent_from_tabs_at_once_makes_one_account_and_logs_each_in(
    app, client, monkeypatch, database
):
    on(database)
    rendezvous(monkeypatch, accounts, "find_by_email")  # all find the address free, then insert
    all_tabs = tabs(app, client)
    responses = at_once(all_tabs, lambda tab: tab.submit(SIGN_UP, CLAIRE))
    assert codes(responses) == {302}
    assert {r.headers["Location"] for r in responses} == {"/tableau-de-bord"}
    assert count(User) == 1 and registered() == 1
    assert all(logged_in(tab) for tab in all_tabs)


def test_a_sign_up_sent_twice_logs_in_to_the_account_the_first_made(app, client):
    """The second click leaves with the cookie the page had, before the first one's answer."""
    first_click, second_click = tabs(app, client, 2)
    first = first_click.submit(SIGN_UP, CLAIRE)
    second = second_click.submit(SIGN_UP, CLAIRE)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == "/tableau-de-bord"
    assert count(User) == 1 and registered() == 1
    page = second_click.get("/tableau-de-bord")
    assert page.status_code == 200 and "Bienvenue ! Votre compte est créé." in page.get_data(
        as_text=True
    )


def _refused(client, form=CLAIRE) -> None:
    response = client.submit(SIGN_UP, form)
    assert response.status_code == 409 and TAKEN in response.get_data(as_text=True)
    assert not logged_in(client)
    assert count(User) == 1


def test_a_sign_up_again_with_another_password_is_refused(app, create_user):
    create_user(email="claire.petit@exemple.fr")
    form = {**CLAIRE, "password": "un-autre-mot-de-passe", "confirm": "un-autre-mot-de-passe"}
    _refused(app.test_client(), form)


def test_a_sign_up_again_after_a_few_minutes_is_refused(app, create_user):
    user = create_user(email="claire.petit@exemple.fr")
    db.session.execute(
        update(User).where(User.id == user.id).values(created_at=utcnow() - timedelta(minutes=3))
    )
    db.session.commit()
    _refused(app.test_client())


def test_a_sign_up_again_once_the_account_was_used_is_refused(app, client, create_user):
    user = create_user(email="claire.petit@exemple.fr")
    client.submit("/connexion", {"email": user.email, "password": PASSWORD})
    client.get("/modules/module-un/lecon-1")  # the account has begun its course
    client.submit("/deconnexion")
    _refused(client)


@pytest.mark.parametrize("role", ["formateur", "admin"])
def test_a_sign_up_again_as_another_role_is_refused(app, create_user, role):
    create_user(email="claire.petit@exemple.fr", role=role)
    _refused(app.test_client())


def test_an_imported_account_without_a_password_is_refused(app):
    db.session.add(
        User(
            email="claire.petit@exemple.fr",
            first_name="Claire",
            last_name="Petit",
            profile="mediateur",
            structure="CS",
            commune="Toulouse",
            departement_code="31",
        )
    )
    db.session.commit()
    _refused(app.test_client())


# --- reminding a cohort's inactive learners -----------------------------------------------------


NOBODY_LEFT = "Personne à relancer : les personnes inactives ont déjà été relancées cette semaine."


def _idle_cohort(login_as, create_user, people: int = 3):
    """A formateur logged in, their cohort, and `people` members inactive for three weeks."""
    trainer = login_as("formateur")
    cohort = cohorts.create(trainer, name="Morbihan printemps")
    members = [create_user() for _ in range(people)]
    for member in members:
        cohorts.join(cohort, member)
    three_weeks_ago = utcnow() - timedelta(days=21)
    ids = [member.id for member in members]
    db.session.execute(
        update(CohortMember).where(CohortMember.user_id.in_(ids)).values(joined_at=three_weeks_ago)
    )
    db.session.execute(
        update(StoredStatement)
        .where(StoredStatement.user_id.in_(ids))
        .values(stored=three_weeks_ago)
    )
    db.session.commit()
    return f"/formateur/cohortes/{cohort.id}/relances", sorted(m.email for m in members)


@ON_BOTH
def test_reminders_sent_from_tabs_at_once_mail_each_person_once(
    app, client, login_as, create_user, mailbox, monkeypatch, database
):
    on(database)
    url, emails = _idle_cohort(login_as, create_user)
    rendezvous(monkeypatch, cohort_views.dashboard, "load")  # all have listed whom to remind
    all_tabs = tabs(app, client)
    responses = at_once(all_tabs, lambda tab: tab.submit(url))
    assert codes(responses) == {302} and len({r.headers["Location"] for r in responses}) == 1
    assert sorted(m["To"] for m in mailbox) == emails
    assert count(Reminder) == len(emails)
    # One tab sent them all; the others say what a later click would.
    said = sorted(flashed(tab) for tab in all_tabs)
    assert said == ["3 relance(s) envoyée(s)."] + [NOBODY_LEFT] * (TABS - 1)


def test_reminders_sent_twice_mail_each_person_once(client, login_as, create_user, mailbox):
    url, emails = _idle_cohort(login_as, create_user)
    first, second = client.submit(url), client.submit(url)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert sorted(m["To"] for m in mailbox) == emails and count(Reminder) == len(emails)
    assert flashed(client) == NOBODY_LEFT


# --- hiding a listing of the annuaire -------------------------------------------------------------

VISIBILITY = "/annuaire/ma-fiche/visibilite"


def _published(client, login_as) -> Listing:
    certify(login_as())
    assert client.submit(MY_LISTING, LISTING).status_code == 302
    return db.session.scalar(select(Listing))


def _visible() -> bool:
    db.session.expire_all()
    return db.session.scalar(select(Listing.visible))


@ON_BOTH
def test_a_listing_hidden_from_tabs_at_once_is_hidden(app, client, login_as, monkeypatch, database):
    on(database)
    _published(client, login_as)
    rendezvous(monkeypatch, annuaire, "listing_of")  # all read it visible before any writes
    responses = at_once(tabs(app, client), submit_all(VISIBILITY, {"visible": "0"}))
    assert codes(responses) == {302} and _visible() is False


def test_hide_clicked_twice_hides_and_show_clicked_twice_shows(client, login_as):
    listing = _published(client, login_as)
    public = f"/annuaire/{listing.id}"
    for wanted, shown, code, said in (
        ("0", False, 404, "Votre fiche est masquée : elle n'apparaît plus dans l'annuaire."),
        ("1", True, 200, "Votre fiche est de nouveau visible."),
    ):
        first = client.submit(VISIBILITY, {"visible": wanted})
        second = client.submit(VISIBILITY, {"visible": wanted})
        assert first.status_code == second.status_code == 302
        assert first.headers["Location"] == second.headers["Location"]
        assert flashed(client) == said
        assert _visible() is shown and client.get(public).status_code == code


def test_the_page_asks_for_the_state_it_shows_the_button_for(client, login_as):
    _published(client, login_as)
    page = client.get(MY_LISTING).get_data(as_text=True)
    assert 'name="visible" value="0"' in page and "Masquer ma fiche" in page
    client.submit(VISIBILITY, {"visible": "0"})
    page = client.get(MY_LISTING).get_data(as_text=True)
    assert 'name="visible" value="1"' in page and "Rendre ma fiche visible" in page


@pytest.mark.parametrize("sent", [{}, {"visible": "oui"}, {"visible": "2"}])
def test_a_visibility_form_without_its_state_changes_nothing(client, login_as, sent):
    _published(client, login_as)
    response = client.submit(VISIBILITY, sent)
    assert response.status_code == 400
    assert "ne dit pas s&#39;il faut masquer ou montrer la fiche" in response.get_data(as_text=True)
    assert _visible() is True


# --- handing in a quiz ---------------------------------------------------------------------------

QUIZ = "/modules/module-un/quiz"
GRADED_AGAIN = "Cette tentative a déjà été corrigée : voici le résultat enregistré."


def _open_attempt(client) -> tuple[str, dict]:
    """The attempt the quiz page shows, and the form that answers it all right."""
    page = client.get(QUIZ).get_data(as_text=True)
    attempt = page.split('name="attempt" value="')[1].split('"')[0]
    answers = right_answers(quizzes.quizzes()["module-un"], attempt).to_dict(flat=False)
    return attempt, {"attempt": attempt, **answers}


def _graded_once() -> None:
    assert count(QuizAttempt, QuizAttempt.submitted_at.is_not(None)) == 1
    assert count(QuestionAnswer) == quizzes.quizzes()["module-un"].draw
    assert statements("passed", "modules", "module-un", "quiz") == 1
    assert count(StoredStatement, StoredStatement.verb == VERBS["answered"][0]) == count(
        QuestionAnswer
    )


@ON_BOTH
def test_a_quiz_handed_in_from_tabs_at_once_is_graded_once(
    app, client, login_as, monkeypatch, database
):
    on(database)
    login_as()
    attempt, form = _open_attempt(client)
    rendezvous(monkeypatch, grading, "grade")  # all have found the attempt open and graded it
    all_tabs = tabs(app, client)
    responses = at_once(all_tabs, submit_all(QUIZ, form))
    result = f"{QUIZ}/tentatives/{attempt}"
    assert {(r.status_code, r.location) for r in responses} == {(302, result)}
    _graded_once()
    said = sorted(flashed(tab) for tab in all_tabs)
    assert said == [""] + [GRADED_AGAIN + " Pour recommencer, refaites le quiz."] * (TABS - 1)


def test_a_quiz_handed_in_twice_lands_on_the_same_result(client, login_as):
    login_as()
    attempt, form = _open_attempt(client)
    first, second = client.submit(QUIZ, form), client.submit(QUIZ, form)
    assert (first.status_code, second.status_code) == (302, 302)
    assert first.location == second.location == f"{QUIZ}/tentatives/{attempt}"
    page = client.get(second.location).get_data(as_text=True)
    assert GRADED_AGAIN in page and "Quiz réussi : 100\u00a0%" in page
    _graded_once()


@pytest.mark.parametrize("answers", ["other", "none"])
def test_any_form_sent_for_a_graded_attempt_lands_on_its_result(client, login_as, answers):
    """Other answers are not graded (an attempt has one grade; a new try is a new attempt), and
    a form missing its answers is not sent back to be completed: the attempt is over."""
    login_as()
    attempt, form = _open_attempt(client)
    client.submit(QUIZ, form)
    again = {"attempt": attempt} if answers == "none" else {**form, **_all_wrong(form)}
    response = client.submit(QUIZ, again)
    assert (response.status_code, response.location) == (302, f"{QUIZ}/tentatives/{attempt}")
    assert GRADED_AGAIN in client.get(response.location).get_data(as_text=True)
    _graded_once()


def _all_wrong(form: dict) -> dict:
    return {name: "reponse-inconnue" for name in form if name != "attempt"}


# --- validating a parcours (formateur or admin) --------------------------------------------------

VALIDATED_AGAIN = "Parcours déjà validé."


def _awaiting(app, login_as, create_user, where: str) -> tuple[str, str, User]:
    """A person awaiting validation; the validator logged in; (the POST, the page it leads to)."""
    app.config["REQUIRE_TRAINER_VALIDATION"] = True
    person = create_user()
    certify(person)  # every criterion but the validation
    if where == "admin":
        login_as("admin")
        page = f"/admin/animateurs/{person.id}"
        return page + "/valider", page, person
    cohort = cohorts.create(login_as("formateur"), name="Morbihan printemps")
    cohorts.join(cohort, person)
    page = f"/formateur/cohortes/{cohort.id}/apprenants/{person.id}"
    return page + "/valider", page, person


def _validated_once(person) -> None:
    assert count(TrainerValidation) == 1
    assert count(StatusChange, StatusChange.status == status.VALIDATED) == 1
    assert count(StatusChange, StatusChange.status == status.CERTIFIED) == 1
    assert statements("passed", "statut-animateur", "validation") == 1
    assert statements("earned", "statut-animateur") == 1
    assert status.status_of(person) == status.CERTIFIED


BY_BOTH = pytest.mark.parametrize("where", ["admin", "cohorte"])


@ON_BOTH
@BY_BOTH
def test_a_parcours_validated_from_tabs_at_once_is_validated_once(
    app, client, login_as, create_user, monkeypatch, database, where
):
    on(database)
    url, page, person = _awaiting(app, login_as, create_user, where)
    rendezvous(monkeypatch, status, "criteria")  # all find the person awaiting validation
    all_tabs = tabs(app, client)
    responses = at_once(all_tabs, submit_all(url))
    assert {(r.status_code, r.location) for r in responses} == {(302, page)}
    _validated_once(person)
    said = sorted(flashed(tab) for tab in all_tabs)
    assert said == [VALIDATED_AGAIN] * (TABS - 1) + ["Validation enregistrée."]


@BY_BOTH
def test_a_parcours_validated_twice_is_validated_once(app, client, login_as, create_user, where):
    url, page, person = _awaiting(app, login_as, create_user, where)
    first, second = client.submit(url), client.submit(url)
    assert (first.status_code, first.location) == (second.status_code, second.location)
    assert (second.status_code, second.location) == (302, page)
    assert VALIDATED_AGAIN in client.get(page).get_data(as_text=True)
    _validated_once(person)


def test_a_revoked_status_is_still_validated_already(app, client, login_as, create_user):
    url, page, person = _awaiting(app, login_as, create_user, "admin")
    client.submit(url)
    client.submit(page + "/revoquer", {"reason": "Absent des ateliers"})
    response = client.submit(url)
    assert (response.status_code, response.location) == (302, page)
    assert count(TrainerValidation) == 1 and status.status_of(person) == status.REVOKED
