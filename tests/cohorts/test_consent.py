"""Consent: an import invites existing accounts, which join a cohort only by their owner's act;
a formateur acts only on people who joined; accounts made by an import have no password until
their owner chooses one, so that 2,000 lines commit quickly."""

import re
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from cafeia import create_app
from certificates import status
from certificates.demo import certify
from cohorts import services
from cohorts.models import CohortInvitation, CohortMember
from lms.extensions import db
from lms.models import User
from tests.conftest import PASSWORD, SmtpServer, free_port, make_config
from tests.helpers import HEADER, ON_BOTH, at_once, confirm, on, submit_all, tabs, upload, url


def line(user) -> str:
    return f"{user.email},{user.first_name},{user.last_name},Mairie,56\n"


def import_people(client, cohort, *people, extra=""):
    preview = upload(client, cohort, HEADER + "".join(line(p) for p in people) + extra)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    return preview, confirm(client, cohort, preview)


def members(cohort) -> set[int]:
    return set(
        db.session.scalars(select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id))
    )


def invitations() -> list[tuple[int, int, str]]:
    return db.session.execute(
        select(CohortInvitation.cohort_id, CohortInvitation.user_id, CohortInvitation.state)
    ).all()


def as_person(auth, person):
    auth.logout()
    auth.login(person.email)


# --- an existing account is invited, never enrolled --------------------------------------------


@pytest.mark.parametrize("role", ["apprenant", "formateur", "admin"])
def test_an_existing_account_in_a_csv_is_invited_not_enrolled(
    client, cohort, create_user, mailbox, role
):
    other_trainer = create_user(role="formateur")
    theirs = services.create(other_trainer, name="Finistère", territory="Finistère")
    person = create_user(role=role, first_name="Nadia", email="nadia@exemple.fr")
    services.join(theirs, person)
    certify(person)
    preview, response = import_people(client, cohort, person)
    assert "compte existant : invitation à accepter" in preview.get_data(as_text=True)
    assert response.status_code == 302
    assert person.id not in members(cohort) and invitations() == [
        (cohort.id, person.id, "en_attente")
    ]
    (message,) = mailbox
    body = message.get_content()
    assert message["To"] == "nadia@exemple.fr" and "« Morbihan printemps »" in message["Subject"]
    assert "Karim Benali vous invite" in body and "http://cafeia.test/mes-cohortes" in body
    assert db.session.get(User, person.id).role == role  # the account itself is untouched


def test_the_importer_can_neither_read_nor_act_on_an_invited_person(
    client, cohort, create_user, mailbox
):
    person = create_user(first_name="Nadia", last_name="Secret")
    certify(person)
    import_people(client, cohort, person)
    assert "1 compte(s) existant(s) invité(s) par import n'ont pas encore accepté" in (
        client.get(url(cohort)).get_data(as_text=True)
    )
    base = url(cohort, f"/apprenants/{person.id}")
    assert client.get(base).status_code == 404
    for action in ("valider", "revoquer", "retablir"):
        assert client.submit(f"{base}/{action}", {"reason": "pour voir"}).status_code == 404
    assert "Secret" not in client.get(url(cohort)).get_data(as_text=True)
    assert "Secret" not in client.get(url(cohort, "/export.csv")).get_data(as_text=True)
    client.submit(url(cohort, "/relances"))
    assert [m["To"] for m in mailbox] == [person.email]  # the invitation, no reminder
    db.session.expire_all()
    assert status.status_of(person) == status.CERTIFIED


def test_importing_twice_invites_once(client, cohort, create_user, mailbox):
    person = create_user()
    import_people(client, cohort, person)
    preview, again = import_people(client, cohort, person)
    assert "invitation déjà envoyée, en attente de réponse" in preview.get_data(as_text=True)
    assert again.status_code == 302 and len(invitations()) == 1 and len(mailbox) == 1


# --- the person answers ------------------------------------------------------------------------


def test_the_invited_person_accepts_and_then_the_formateur_follows_them(
    client, auth, trainer, cohort, create_user, mailbox
):
    person = create_user(first_name="Nadia")
    import_people(client, cohort, person)
    as_person(auth, person)
    dashboard = client.get("/tableau-de-bord").get_data(as_text=True)
    assert "Une invitation à rejoindre une cohorte" in dashboard and "de Karim Benali" in dashboard
    page = client.get("/mes-cohortes").get_data(as_text=True)
    assert "Accepter et rejoindre « Morbihan printemps »" in page
    response = client.submit(f"/mes-cohortes/{cohort.id}/accepter")
    assert response.status_code == 302
    assert "Vous avez rejoint la cohorte" in client.get(response.location).get_data(as_text=True)
    joined = db.session.scalar(select(CohortMember).where(CohortMember.user_id == person.id))
    assert joined.cohort_id == cohort.id and joined.source == "import"
    assert invitations() == [(cohort.id, person.id, "acceptee")]
    assert "Une invitation" not in client.get("/tableau-de-bord").get_data(as_text=True)
    assert client.submit(f"/mes-cohortes/{cohort.id}/accepter").status_code == 303  # once
    as_person(auth, trainer)
    assert client.get(url(cohort, f"/apprenants/{person.id}")).status_code == 200


def test_a_declined_invitation_is_never_repeated(
    client, auth, trainer, cohort, create_user, mailbox
):
    person = create_user()
    import_people(client, cohort, person)
    as_person(auth, person)
    response = client.submit(f"/mes-cohortes/{cohort.id}/refuser")
    assert response.status_code == 302 and members(cohort) == set()
    assert "refusée" in client.get(response.location).get_data(as_text=True)
    as_person(auth, trainer)
    preview, again = import_people(client, cohort, person)
    assert "invitation refusée ou cohorte quittée, rien ne change" in preview.get_data(as_text=True)
    assert members(cohort) == set() and len(mailbox) == 1
    assert invitations() == [(cohort.id, person.id, "refusee")]


def test_answers_are_posts_with_csrf_by_the_invited_person_only(
    app, client, auth, cohort, create_user, mailbox
):
    person, stranger = create_user(), create_user()
    import_people(client, cohort, person)
    as_person(auth, stranger)  # someone else cannot answer for the invited person
    assert client.submit(f"/mes-cohortes/{cohort.id}/accepter").status_code == 303
    assert members(cohort) == set()
    as_person(auth, person)
    assert client.get(f"/mes-cohortes/{cohort.id}/accepter").status_code == 405
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/mes-cohortes/{cohort.id}/accepter").status_code == 400
    assert client.submit(f"/mes-cohortes/{cohort.id}/autre-chose").status_code == 404
    assert members(cohort) == set() and invitations()[0][2] == "en_attente"
    auth.logout()
    assert "/connexion" in client.submit(f"/mes-cohortes/{cohort.id}/accepter").location


def test_joining_by_the_link_answers_the_invitation(
    client, auth, trainer, cohort, create_user, mailbox
):
    person = create_user()
    import_people(client, cohort, person)
    as_person(auth, person)
    client.submit(f"/cohortes/rejoindre/{cohort.invite_code}")
    assert members(cohort) == {person.id}
    assert "Aucune invitation en attente" in client.get("/mes-cohortes").get_data(as_text=True)
    as_person(auth, trainer)
    assert "pas encore accepté" not in client.get(url(cohort)).get_data(as_text=True)


def test_a_member_leaves_and_the_formateur_loses_access(
    client, auth, trainer, cohort, create_user, mailbox
):
    person = create_user()
    services.join(cohort, person)
    as_person(auth, person)
    assert "Quitter « Morbihan printemps »" in client.get("/mes-cohortes").get_data(as_text=True)
    response = client.submit(f"/mes-cohortes/{cohort.id}/quitter")
    assert response.status_code == 302 and members(cohort) == set()
    assert "Vous avez quitté la cohorte" in client.get(response.location).get_data(as_text=True)
    assert client.submit(f"/mes-cohortes/{cohort.id}/quitter").status_code == 303
    as_person(auth, trainer)
    assert client.get(url(cohort, f"/apprenants/{person.id}")).status_code == 404
    preview, _ = import_people(client, cohort, person)  # re-imported: invited, never re-enrolled
    assert "compte existant : invitation à accepter" in preview.get_data(as_text=True)
    assert members(cohort) == set()


# --- accounts made by an import: no password until chosen --------------------------------------


def test_a_new_account_logs_in_only_after_choosing_its_password(client, auth, cohort, mailbox):
    preview = upload(client, cohort, HEADER + "zoe@exemple.fr,Zoé,Morel,Mairie,56\n")
    confirm(client, cohort, preview)
    zoe = db.session.scalar(select(User).where(User.email == "zoe@exemple.fr"))
    assert zoe.password_hash is None and not zoe.check_password("")
    assert zoe.id in members(cohort)
    auth.logout()
    for attempt in ("", "None", PASSWORD):
        refused = client.submit("/connexion", {"email": "zoe@exemple.fr", "password": attempt})
        assert refused.status_code in (401, 422)
    assert "Adresse électronique ou mot de passe incorrect" in refused.get_data(as_text=True)
    (message,) = mailbox
    link = re.search(r"http://cafeia.test(/cohortes/bienvenue/\S+)", message.get_content()).group(1)
    chosen = client.submit(link, {"password": PASSWORD, "confirm": PASSWORD})
    assert chosen.status_code == 302
    assert auth.login("zoe@exemple.fr").status_code == 302
    spent = client.get(link)  # the link is spent once used
    assert spent.status_code == 302 and "/connexion" in spent.location


def test_an_import_survives_a_mail_server_that_is_down(app, client, cohort, create_user):
    person = create_user()
    smtp = SmtpServer()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)  # not started yet: down
    preview = upload(client, cohort, HEADER + line(person) + "zoe@exemple.fr,Zoé,Morel,,56\n")
    response = confirm(client, cohort, preview)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Le serveur d&#39;e-mails a refusé un envoi" in page
    assert "E-mails de l'import : 0 envoyé(s) sur 2" in page
    assert len(members(cohort)) == 1 and len(invitations()) == 1
    smtp.controller.start()
    try:
        client.submit(url(cohort, "/import/envois"))  # « Reprendre l'envoi »
        client.submit(url(cohort, "/import/envois"))  # twice: nobody gets two e-mails
    finally:
        smtp.controller.stop()
    assert sorted(m["To"] for m in smtp.messages) == [person.email, "zoe@exemple.fr"]
    assert "E-mails de l'import" not in client.get(url(cohort)).get_data(as_text=True)


class RefusingAfter(SmtpServer):
    """A mail server that accepts the first `accepted` messages, then answers « 451 »."""

    def __init__(self, accepted: int):
        super().__init__()
        self.accepted = accepted

    async def handle_DATA(self, server, session, envelope):
        if len(self.messages) >= self.accepted:
            return "451 Try again later"
        return await super().handle_DATA(server, session, envelope)


def addresses(n: int) -> list[str]:
    return [f"p{i}@exemple.fr" for i in range(n)]


def new_people(n: int) -> str:
    return HEADER + "".join(f"{email},Prénom,Nom,Mairie,56\n" for email in addresses(n))


def test_a_mail_server_failing_midway_leaves_the_rest_for_the_next_pass(app, client, cohort):
    smtp = RefusingAfter(2)
    smtp.controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    try:
        response = confirm(client, cohort, upload(client, cohort, new_people(5)))
        page = client.get(response.location).get_data(as_text=True)
        assert "E-mails de l'import : 2 envoyé(s) sur 5" in page
        smtp.accepted = 5  # the server is back: the three others were claimed, then released
        client.submit(url(cohort, "/import/envois"))
    finally:
        smtp.controller.stop()
    assert sorted(m["To"] for m in smtp.messages) == sorted(addresses(5))


@ON_BOTH
def test_senders_at_once_send_each_e_mail_once(app, client, cohort, database):
    on(database)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # down during the import
    confirm(client, cohort, upload(client, cohort, new_people(120)))
    smtp = SmtpServer()
    smtp.controller.start()
    app.config.update(MAIL_PORT=smtp.port)
    try:  # four formateur tabs resume at once, each sending some then starting a thread
        at_once(tabs(app, client, 4), submit_all(url(cohort, "/import/envois")))
        for thread in list(app.extensions.get("cohort_notice_threads", [])):
            thread.join(timeout=120)
    finally:
        smtp.controller.stop()
    assert sorted(m["To"] for m in smtp.messages) == sorted(addresses(120))


def test_2000_new_addresses_are_imported_in_one_quick_request(app, client, cohort, mailbox):
    body = "".join(f"p{i}@exemple.fr,Prénom,Nom{i},Mairie,56\n" for i in range(2000))
    start = time.perf_counter()
    preview = upload(client, cohort, HEADER + body)
    previewed = time.perf_counter() - start
    assert preview.status_code == 200
    start = time.perf_counter()
    response = confirm(client, cohort, preview)
    elapsed = time.perf_counter() - start
    assert response.status_code == 302 and len(members(cohort)) == 2000
    page = client.get(response.location).get_data(as_text=True)
    assert re.search(r"E-mails de l'import : \d+ envoyé\(s\) sur 2000", page)
    start = time.perf_counter()
    for thread in app.extensions["cohort_notice_threads"]:
        thread.join(timeout=600)  # the e-mails beyond the first ones, in the background
    print(
        f"\nimport de 2 000 lignes : aperçu en {previewed:.2f} s, confirmé en {elapsed:.2f} s, "
        f"puis 2 000 e-mails en arrière-plan en {time.perf_counter() - start:.2f} s"
    )
    assert sorted(m["To"] for m in mailbox) == sorted(f"p{i}@exemple.fr" for i in range(2000))
    assert "E-mails de l'import" not in client.get(url(cohort)).get_data(as_text=True)
    passwordless = db.session.scalar(
        select(func.count()).select_from(User).where(User.password_hash.is_(None))
    )
    assert passwordless == 2000


def test_the_command_sends_what_imports_still_owe(app, client, runner, cohort, create_user):
    person = create_user()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens there
    confirm(client, cohort, upload(client, cohort, HEADER + line(person)))
    smtp = SmtpServer()
    smtp.controller.start()
    app.config.update(MAIL_PORT=smtp.port)
    try:
        result = runner.invoke(args=["cohorts", "envoyer-emails"])
        again = runner.invoke(args=["cohorts", "envoyer-emails"])
    finally:
        smtp.controller.stop()
    assert result.exit_code == 0 and "1 e-mail(s) envoyé(s)" in result.output
    assert "0 e-mail(s) envoyé(s)" in again.output
    assert [m["To"] for m in smtp.messages] == [person.email]


def test_the_demo_shows_a_pending_invitation(client, runner, auth):
    from lms.demo import DEMO_PASSWORD

    auth.logout()
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    auth.login("apprenant@exemple.fr", DEMO_PASSWORD)
    page = client.get("/tableau-de-bord").get_data(as_text=True)
    assert "Une invitation à rejoindre une cohorte" in page
    assert "« Morbihan — automne 2027 » (de Karim Benali)" in page


# --- the migration -----------------------------------------------------------------------------


def test_the_migration_keeps_every_row_that_references_an_account(tmp_path):
    """On SQLite the column change copies `users`: rows pointing to it must survive."""
    app = create_app(make_config(f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with app.app_context():
        upgrade(revision="7dde21073ad2")
        db.session.execute(
            text(
                "INSERT INTO users (email, password_hash, first_name, last_name, profile, "
                "structure, commune, departement_code, role, pseudonym, registration, "
                "created_at) VALUES ('a@exemple.fr', 'x', 'A', 'B', 'autre', '', '', '56', "
                "'apprenant', 'p', 'r', '2026-11-30')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO cohorts (name, description, territory, invite_code, created_at) "
                "VALUES ('C', '', '', 'code', '2026-11-30')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO cohort_members (cohort_id, user_id, source, joined_at) "
                "VALUES (1, 1, 'lien', '2026-11-30')"
            )
        )
        db.session.commit()
        upgrade()
        assert db.session.execute(text("SELECT count(*) FROM cohort_members")).scalar() == 1
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
