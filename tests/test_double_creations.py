"""Forms whose every send would create something: sent twice, they create it once.

A new cohort, a message relayed by the annuaire: each page carries a one-time token (`envoi`),
kept where its write landed under a unique constraint, so the page sent twice (a double click,
tabs, a retried request) lands where the first send did; an import's signed preview plays the
same part. A listing withdrawn twice is withdrawn once. The races and their helpers are those of tests/test_races.py: clients sharing a session
released by a barrier, a rendezvous inside the service so that every request reads before any
writes, on the suite's database and on PostgreSQL (marker `postgres`).
"""

import re
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from markupsafe import escape
from sqlalchemy import select, text

from annuaire import services as annuaire
from annuaire.models import Listing, RelayedMessage
from cafeia import create_app
from certificates.demo import certify
from cohorts import importing
from cohorts import services as cohorts
from cohorts.models import (
    Cohort,
    CohortImport,
    CohortInvitation,
    CohortMember,
    CohortNotice,
    CohortTrainer,
)
from lms.extensions import db
from lms.models import User, utcnow
from tests.conftest import free_port, make_config
from tests.helpers import (
    HEADER,
    LISTING,
    MY_LISTING,
    ON_BOTH,
    TABS,
    at_once,
    codes,
    count,
    flashed,
    on,
    rendezvous,
    tabs,
    upload,
)


def page_token(client, url: str) -> str:
    """The one-time token of the form page at `url`, as the browser received it."""
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="envoi" type="hidden" value="([^"]+)"', page).group(1)


def shows(response, message: str) -> bool:
    return str(escape(message)) in response.get_data(as_text=True)


def one_location(responses) -> str:
    (location,) = {response.location for response in responses}
    return location


# --- creating a cohort ---------------------------------------------------------------------------

NEW_COHORT = "/formateur/cohortes/nouvelle"
COHORT = {"name": "Morbihan printemps", "territory": "Morbihan"}
CREATED = "Cohorte créée : partagez son lien d'invitation."
CREATED_ALREADY = "Cette cohorte est déjà créée : partagez son lien d'invitation."


def _cohort_page(client) -> dict:
    return {**COHORT, "envoi": page_token(client, NEW_COHORT)}


def _the_cohort_at(location: str) -> Cohort:
    (cohort,) = db.session.scalars(select(Cohort)).all()
    assert location == f"/formateur/cohortes/{cohort.id}"
    assert count(CohortTrainer) == 1
    return cohort


@ON_BOTH
def test_a_cohort_sent_from_tabs_at_once_is_created_once(
    app, client, login_as, monkeypatch, database
):
    on(database)
    login_as("formateur")
    form = _cohort_page(client)
    rendezvous(monkeypatch, cohorts, "_created_from")  # all find no cohort of this page
    all_tabs = tabs(app, client)
    responses = at_once(all_tabs, lambda tab: tab.submit(NEW_COHORT, form))
    assert codes(responses) == {302}
    _the_cohort_at(one_location(responses))
    said = sorted(flashed(tab) for tab in all_tabs)
    assert said == [CREATED_ALREADY] * (TABS - 1) + [CREATED]


def test_a_cohort_sent_twice_is_created_once(client, login_as):
    login_as("formateur")
    form = _cohort_page(client)
    first, second = client.submit(NEW_COHORT, form), client.submit(NEW_COHORT, form)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    cohort = _the_cohort_at(second.location)
    page = client.get(second.location)
    assert shows(page, CREATED_ALREADY) and shows(page, cohort.invite_code)


def test_the_same_page_sent_again_with_other_fields_lands_on_its_cohort(client, login_as):
    login_as("formateur")
    form = _cohort_page(client)
    first = client.submit(NEW_COHORT, form)
    again = client.submit(NEW_COHORT, {**form, "name": "Morbihan automne"})
    assert again.location == first.location
    assert _the_cohort_at(again.location).name == "Morbihan printemps"


def test_a_new_page_makes_a_new_cohort_of_the_same_name(client, login_as):
    login_as("formateur")
    for _ in range(2):
        assert client.submit(NEW_COHORT, _cohort_page(client)).status_code == 302
    assert count(Cohort) == 2 and count(CohortTrainer) == 2


@pytest.mark.parametrize("token", [None, "court", "x" * 65, "é" * 20])
def test_a_cohort_form_without_its_token_creates_each_time_as_before(client, login_as, token):
    login_as("formateur")
    form = COHORT if token is None else {**COHORT, "envoi": token}
    first, second = client.submit(NEW_COHORT, form), client.submit(NEW_COHORT, form)
    assert first.status_code == second.status_code == 302
    assert first.location != second.location
    assert count(Cohort) == 2
    assert flashed(client) == CREATED


def test_a_cohort_page_sent_back_with_an_error_keeps_its_token(client, login_as):
    login_as("formateur")
    form = _cohort_page(client)
    refused = client.submit(NEW_COHORT, {**form, "name": " "})
    assert refused.status_code == 422
    assert f'value="{form["envoi"]}"' in refused.get_data(as_text=True)
    first, second = client.submit(NEW_COHORT, form), client.submit(NEW_COHORT, form)
    assert first.location == second.location and count(Cohort) == 1


def test_another_formateurs_page_token_is_no_key_to_their_cohort(app, client, login_as):
    login_as("formateur")
    form = _cohort_page(client)
    theirs = client.submit(NEW_COHORT, form).location
    client.submit("/deconnexion")
    login_as("formateur")
    mine = client.submit(NEW_COHORT, {**form, "name": "Finistère"})
    assert mine.status_code == 302 and mine.location != theirs
    assert flashed(client) == CREATED
    assert client.get(mine.location).status_code == 200
    assert count(Cohort) == 2 and count(CohortTrainer) == 2


def test_the_edit_page_carries_no_creation_token(client, login_as):
    login_as("formateur")
    location = client.submit(NEW_COHORT, _cohort_page(client)).location
    assert 'name="envoi"' not in client.get(f"{location}/modifier").get_data(as_text=True)


# --- importing learners into a cohort ----------------------------------------------------------

CSV = HEADER + "nina@exemple.fr,Nina,Kerbrat,Médiathèque,56\ndeja@exemple.fr,Déjà,Là,Mairie,29\n"
IMPORTED = (
    "Import terminé : 1 nouveau(x) compte(s) inscrit(s), chacun invité par e-mail à choisir son "
    "mot de passe ; 1 compte(s) existant(s) invité(s) à rejoindre la cohorte : ils n'en feront "
    "partie qu'après avoir accepté."
)
IMPORTED_ALREADY = f"Cet import était déjà enregistré. {IMPORTED}"


def _previewed(client, login_as, create_user) -> tuple[str, dict]:
    """A formateur's cohort, a CSV of one new and one existing address previewed; the
    confirmation's address and form."""
    create_user(email="deja@exemple.fr")
    cohort = cohorts.create(login_as("formateur"), name="Morbihan printemps")
    page = upload(client, cohort, CSV).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return f"/formateur/cohortes/{cohort.id}/import/confirmer", {"token": token}


def _imported_once(mailbox) -> None:
    assert count(User) == 3  # the formateur, the existing account, the one created
    assert count(CohortMember) == 1 and count(CohortInvitation) == 1
    assert count(CohortNotice) == 2 and count(CohortImport) == 1
    assert sorted(m["To"] for m in mailbox) == ["deja@exemple.fr", "nina@exemple.fr"]


@ON_BOTH
def test_an_import_confirmed_from_tabs_at_once_is_imported_once(
    app, client, login_as, create_user, mailbox, monkeypatch, database
):
    on(database)
    url, form = _previewed(client, login_as, create_user)
    rendezvous(monkeypatch, importing, "_imported")  # none finds this preview imported
    all_tabs = tabs(app, client)
    responses = at_once(all_tabs, lambda tab: tab.submit(url, form))
    assert codes(responses) == {302} and one_location(responses) == url.split("/import")[0]
    _imported_once(mailbox)
    said = sorted(flashed(tab) for tab in all_tabs)
    assert said == [IMPORTED_ALREADY] * (TABS - 1) + [IMPORTED]


def test_an_import_confirmed_twice_is_imported_once(client, login_as, create_user, mailbox):
    url, form = _previewed(client, login_as, create_user)
    first, second = client.submit(url, form), client.submit(url, form)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert shows(client.get(second.location), IMPORTED_ALREADY)
    _imported_once(mailbox)


# --- writing to an animateur through the annuaire -----------------------------------------------

VISITOR = {
    "name": "Mairie de Ploemeur",
    "email": "contact@ploemeur.example",
    "message": "Un café en mars ?",
}
SENT = "Votre message a été transmis. L'animateur·rice vous répondra directement."


def _relay_listing(client, login_as, auth) -> str:
    """A certified animateur's listing, reached through the relay; its public page."""
    animateur = login_as()
    certify(animateur)
    assert client.submit(MY_LISTING, LISTING).status_code == 302
    auth.logout()  # the visitor has no account
    return f"/annuaire/{db.session.scalar(select(Listing.id))}"


def _contact_page(client, page: str) -> dict:
    return {**VISITOR, "envoi": page_token(client, page)}


@ON_BOTH
def test_a_message_sent_from_tabs_at_once_is_mailed_once(
    app, client, login_as, auth, mailbox, monkeypatch, database
):
    on(database)
    page = _relay_listing(client, login_as, auth)
    form = _contact_page(client, page)
    rendezvous(monkeypatch, annuaire, "_already_relayed")  # none finds the page's claim
    all_tabs = tabs(app, client)
    responses = at_once(all_tabs, lambda tab: tab.submit(f"{page}/contact", form))
    assert codes(responses) == {302} and one_location(responses) == page
    assert len(mailbox) == 1 and VISITOR["message"] in mailbox[0].get_content()
    assert count(RelayedMessage) == 1
    assert {flashed(tab) for tab in all_tabs} == {SENT}


def test_a_message_sent_twice_is_mailed_once(client, login_as, auth, mailbox):
    page = _relay_listing(client, login_as, auth)
    form = _contact_page(client, page)
    first = client.submit(f"{page}/contact", form)
    second = client.submit(f"{page}/contact", form)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location == page
    assert shows(client.get(page), SENT)
    assert len(mailbox) == 1 and count(RelayedMessage) == 1


def test_a_new_page_sends_a_new_message(client, login_as, auth, mailbox):
    page = _relay_listing(client, login_as, auth)
    for _ in range(2):
        assert client.submit(f"{page}/contact", _contact_page(client, page)).status_code == 302
    assert len(mailbox) == 2


def test_a_message_without_its_token_is_mailed_as_before(client, login_as, auth, mailbox):
    page = _relay_listing(client, login_as, auth)
    for _ in range(2):
        assert client.submit(f"{page}/contact", VISITOR).status_code == 302
    assert len(mailbox) == 2


def test_a_contact_page_sent_back_with_an_error_keeps_its_token(client, login_as, auth, mailbox):
    page = _relay_listing(client, login_as, auth)
    form = _contact_page(client, page)
    refused = client.submit(f"{page}/contact", {**form, "email": "pas-une-adresse"})
    assert refused.status_code == 422 and mailbox == []
    assert f'value="{form["envoi"]}"' in refused.get_data(as_text=True)
    for _ in range(2):
        client.submit(f"{page}/contact", form)
    assert len(mailbox) == 1


def test_a_mail_server_that_fails_releases_the_page_for_a_retry(
    app, client, login_as, auth, mailbox
):
    page = _relay_listing(client, login_as, auth)
    form = _contact_page(client, page)
    working = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    assert client.submit(f"{page}/contact", form).status_code == 503  # a French page
    assert count(RelayedMessage) == 0
    app.config["MAIL_PORT"] = working
    assert client.submit(f"{page}/contact", form).status_code == 302
    assert len(mailbox) == 1 and count(RelayedMessage) == 1


def test_the_honeypot_claims_nothing(client, login_as, auth, mailbox):
    page = _relay_listing(client, login_as, auth)
    form = {**_contact_page(client, page), "website": "http://spam"}
    assert client.submit(f"{page}/contact", form).status_code == 302
    assert mailbox == [] and count(RelayedMessage) == 0


def test_a_relayed_page_is_forgotten_after_a_day(client, login_as, auth, mailbox):
    page = _relay_listing(client, login_as, auth)
    listing_id = db.session.scalar(select(Listing.id))
    for age in (timedelta(days=2), timedelta(hours=1)):
        db.session.add(
            RelayedMessage(
                listing_id=listing_id, submission=f"ancien-{age}", sent_at=utcnow() - age
            )
        )
    db.session.commit()
    client.submit(f"{page}/contact", _contact_page(client, page))
    kept = set(db.session.scalars(select(RelayedMessage.submission)))
    assert len(kept) == 2 and "ancien-1:00:00" in kept


# --- withdrawing a listing ----------------------------------------------------------------------

WITHDRAW = "/annuaire/ma-fiche/retirer"
WITHDRAWN = "Votre fiche est supprimée de l'annuaire."
WITHDRAWN_ALREADY = "Votre fiche était déjà retirée de l'annuaire."


def _listed(client, login_as) -> None:
    certify(login_as())
    assert client.submit(MY_LISTING, LISTING).status_code == 302
    assert count(Listing) == 1


@ON_BOTH
def test_a_listing_withdrawn_from_tabs_at_once_is_withdrawn_once(app, client, login_as, database):
    """One DELETE that counts its rows: there is no read to hold the requests at, the barrier
    sends them together (on PostgreSQL the later DELETEs wait for the first, then find none)."""
    on(database)
    _listed(client, login_as)
    all_tabs = tabs(app, client)
    responses = at_once(all_tabs, lambda tab: tab.submit(WITHDRAW))
    assert codes(responses) == {302} and one_location(responses) == "/mon-statut"
    assert count(Listing) == 0
    said = sorted(flashed(tab) for tab in all_tabs)
    assert said == [WITHDRAWN] + [WITHDRAWN_ALREADY] * (TABS - 1)


def test_a_listing_withdrawn_twice_lands_on_the_same_page(client, login_as):
    _listed(client, login_as)
    first, second = client.submit(WITHDRAW), client.submit(WITHDRAW)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location == "/mon-statut"
    assert shows(client.get(second.location), WITHDRAWN_ALREADY) and count(Listing) == 0


def test_withdrawing_takes_the_relayed_pages_with_the_listing(client, login_as, mailbox):
    _listed(client, login_as)
    page = f"/annuaire/{db.session.scalar(select(Listing.id))}"
    client.submit(f"{page}/contact", _contact_page(client, page))
    assert count(RelayedMessage) == 1
    client.submit(WITHDRAW)
    assert count(RelayedMessage) == 0


# --- the migration -------------------------------------------------------------------------------

BEFORE = "5c7e9a1b3d24"
OLD_ROWS = [
    "INSERT INTO users (email, password_hash, first_name, last_name, profile, structure, "
    "commune, departement_code, role, pseudonym, registration, created_at) VALUES "
    "('a@exemple.fr', 'x', 'A', 'B', 'autre', '', '', '56', 'apprenant', 'p', 'r', '2026-11-30')",
    "INSERT INTO cohorts (name, description, territory, invite_code, created_at) "
    "VALUES ('C', '', '', 'code', '2026-11-30')",
    "INSERT INTO cohort_members (cohort_id, user_id, source, joined_at) "
    "VALUES (1, 1, 'lien', '2026-11-30')",
]


def _scalar(sql: str):
    return db.session.execute(text(sql)).scalar()


def test_the_migration_keeps_cohorts_and_their_members_both_ways(tmp_path):
    """On SQLite, a change that copies `cohorts` would cascade to its members: none is lost."""
    app = create_app(make_config(f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with app.app_context():
        upgrade(revision=BEFORE)
        for row in OLD_ROWS:
            db.session.execute(text(row))
        db.session.commit()
        upgrade()
        assert _scalar("SELECT count(*) FROM cohort_members") == 1
        assert _scalar("SELECT creation_token FROM cohorts") is None  # made before the token
        downgrade(revision=BEFORE)
        assert _scalar("SELECT count(*) FROM cohort_members") == 1
        assert _scalar("PRAGMA foreign_keys") == 1
        db.session.remove()
        db.engine.dispose()
