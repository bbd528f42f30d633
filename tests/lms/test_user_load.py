"""The person behind a session is read again at every request (lms.models.load_user).

Each request here runs in a thread of its own, as under gunicorn: its own app context and
database session, so the user load builds its User from the row and nothing the test holds.
Changes come from another connection, as from another worker or an operator.
"""

import threading

from sqlalchemy import delete, select, update

from lms.extensions import db
from lms.models import User
from tests.helpers import VALID


def in_own_context(request):
    """request() in a thread of its own, so in an app context and a session of its own."""
    results = []
    thread = threading.Thread(target=lambda: results.append(request()))
    thread.start()
    thread.join()
    return results[0]


def elsewhere(statement) -> None:
    """A change committed on a connection of its own, outside the test's session."""
    with db.engine.begin() as connection:
        connection.execute(statement)


def status(client, url: str) -> int:
    return in_own_context(lambda: client.get(url).status_code)


def test_a_role_taken_away_is_gone_at_the_next_request(client, login_as):
    formateur = login_as("formateur")
    assert status(client, "/formateur/cohortes/nouvelle") == 200
    elsewhere(update(User).where(User.id == formateur.id).values(role="apprenant"))
    assert status(client, "/formateur/cohortes/nouvelle") == 403
    elsewhere(update(User).where(User.id == formateur.id).values(role="formateur"))
    assert status(client, "/formateur/cohortes/nouvelle") == 200


def test_an_erased_account_is_signed_out_at_the_next_request(client, login_as):
    learner = login_as()
    assert status(client, "/tableau-de-bord") == 200
    elsewhere(delete(User).where(User.id == learner.id))
    response = in_own_context(lambda: client.get("/tableau-de-bord"))
    assert response.status_code == 302 and "/connexion" in response.location


def test_the_person_loaded_is_the_one_a_view_changes_and_saves(client, login_as):
    learner = login_as()
    profile = {key: VALID[key] for key in ("profile", "structure", "commune", "departement")}
    changed = in_own_context(
        lambda: client.submit(
            "/mon-compte", {**profile, "first_name": "Zoé", "last_name": "Nouveau-Nom"}
        )
    )
    assert changed.status_code == 302
    with db.engine.connect() as connection:
        saved = connection.execute(
            select(User.first_name, User.last_name, User.commune).where(User.id == learner.id)
        ).one()
    assert tuple(saved) == ("Zoé", "Nouveau-Nom", "Toulouse")
    page = in_own_context(lambda: client.get("/mon-compte").get_data(as_text=True))
    assert 'value="Zoé"' in page and 'value="Nouveau-Nom"' in page


def test_a_forged_or_unknown_id_in_the_session_is_nobody(client, login_as):
    login_as()
    for forged in ("999999", "1 OR 1=1", "-1", "9" * 40):
        with client.session_transaction() as session:
            session["_user_id"] = forged
        response = in_own_context(lambda: client.get("/tableau-de-bord"))
        assert response.status_code == 302 and "/connexion" in response.location
