"""The same form sent twice, or from tabs at once: the second gets the result of the first.

The races and their helpers are those of tests/test_races.py: clients sharing a session (tabs
of one browser) released by a barrier, a rendezvous inside the service so that every request
reads before any writes, on the suite's database and on PostgreSQL (marker `postgres`). Here:
signing up, reminding a cohort, hiding a listing, handing in a quiz, validating a parcours.
"""

from datetime import timedelta

import pytest
from sqlalchemy import update

from lms.accounts import services as accounts
from lms.extensions import db
from lms.models import User, utcnow
from lms.xapi.models import StoredStatement
from lms.xapi.vocabulary import VERBS
from tests.conftest import PASSWORD
from tests.test_races import ON_BOTH, at_once, codes, count, on, rendezvous, tabs

# --- signing up ----------------------------------------------------------------------------------

SIGN_UP = "/inscription"
CLAIRE = {
    "email": "Claire.Petit@Exemple.fr",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "first_name": "Claire",
    "last_name": "Petit",
    "profile": "mediateur",
    "structure": "Centre social des Minimes",
    "commune": "Toulouse",
    "departement": "31",
}
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
