"""A formateur's everyday actions over HTTP: the first-password invitation of an imported
learner, who counts as active, the invitation link (copy, replace, close), the CSV template,
removing a learner or a co-formateur, archiving a cohort; and the refusals of each."""

import csv
import io
import re
import time
from datetime import timedelta

from itsdangerous import TimestampSigner
from sqlalchemy import select, update

from cohorts import dashboard, importing, services, welcome
from cohorts.models import Cohort, CohortInvitation, CohortMember, CohortNotice
from courses import progress
from courses.models import LessonProgress
from lms.extensions import db
from lms.formatting import date_longue
from lms.models import User, utcnow
from lms.xapi.models import StoredStatement
from tests.conftest import PASSWORD
from tests.helpers import HEADER, confirm, count, enrol, upload, url


def body(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def welcome_link(message) -> str:
    return re.search(r"http://cafeia.test(/cohortes/bienvenue/\S+)", body(message)).group(1)


def flashed(client, response) -> str:
    return client.get(response.location).get_data(as_text=True)


# --- the first-password invitation -------------------------------------------------------------


def test_an_imported_learner_is_invited_by_name_for_two_weeks_not_sent_a_reset(
    client, cohort, mailbox
):
    confirm(client, cohort, upload(client, cohort, HEADER + "zoe@exemple.fr,Zoé,Morel,,56\n"))
    (message,) = mailbox
    assert message["To"] == "zoe@exemple.fr"
    assert message["Subject"] == (
        "Café IA Formation : Karim Benali vous invite dans la cohorte « Morbihan printemps »"
    )
    text = body(message)
    until = date_longue(utcnow() + timedelta(days=14))
    assert "Karim Benali vous a inscrit·e dans la cohorte « Morbihan printemps »" in text
    assert "« Café IA — Formation des animateurs »" in text
    assert f"(valable 14 jours, jusqu'au {until})" in text
    for reset_words in ("réinitialiser", "60 minutes", "à l'origine de cette demande"):
        assert reset_words not in text
    page = client.get(welcome_link(message)).get_data(as_text=True)
    assert "Bienvenue, Zoé" in page and "Karim Benali vous a inscrit·e" in page
    assert "zoe@exemple.fr" in page


def old_link(monkeypatch, user, cohort, days: int) -> str:
    """A link signed `days` days ago."""
    now = int(time.time())
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: now - days * 86400)
        link = welcome.link(user, cohort)
    return link.removeprefix("http://cafeia.test")


def test_the_link_lasts_fourteen_days_then_says_so(client, auth, cohort, monkeypatch, mailbox):
    confirm(client, cohort, upload(client, cohort, HEADER + "zoe@exemple.fr,Zoé,Morel,,56\n"))
    zoe = db.session.scalar(select(User).where(User.email == "zoe@exemple.fr"))
    auth.logout()
    assert client.get(old_link(monkeypatch, zoe, cohort, 13)).status_code == 200
    expired = old_link(monkeypatch, zoe, cohort, 15)
    page = client.get(expired)
    assert page.status_code == 410 and "Ce lien a expiré" in page.get_data(as_text=True)
    refused = client.submit(expired, {"password": PASSWORD, "confirm": PASSWORD})
    assert refused.status_code == 410
    db.session.refresh(zoe)
    assert zoe.password_hash is None


def test_a_forged_link_is_404_and_a_bad_password_is_refused(client, auth, cohort, mailbox):
    confirm(client, cohort, upload(client, cohort, HEADER + "zoe@exemple.fr,Zoé,Morel,,56\n"))
    link = welcome_link(mailbox[0])
    auth.logout()
    assert client.get(link[:-3] + "abc").status_code == 404
    assert client.get("/cohortes/bienvenue/pas-un-jeton").status_code == 404
    short = client.submit(link, {"password": "court", "confirm": "court"})
    assert short.status_code == 422 and 'aria-invalid="true"' in short.get_data(as_text=True)
    assert (
        db.session.scalar(select(User.password_hash).where(User.email == "zoe@exemple.fr")) is None
    )


def test_the_invitation_is_sent_again_once_per_click(client, auth, cohort, mailbox, create_user):
    confirm(client, cohort, upload(client, cohort, HEADER + "zoe@exemple.fr,Zoé,Morel,,56\n"))
    zoe = db.session.scalar(select(User).where(User.email == "zoe@exemple.fr"))
    page = client.get(url(cohort, f"/apprenants/{zoe.id}")).get_data(as_text=True)
    assert "Renvoyer l'invitation" in page and "valable 14 jours" in page
    resend = url(cohort, f"/apprenants/{zoe.id}/invitation")
    too_soon = client.submit(resend)  # the import's e-mail left a moment ago
    assert too_soon.status_code == 303 and len(mailbox) == 1
    assert "Une invitation vient de partir" in flashed(client, too_soon)
    db.session.execute(update(CohortNotice).values(sent_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert client.submit(resend).status_code == 302
    client.submit(resend)  # a double click: one e-mail
    assert [m["To"] for m in mailbox] == ["zoe@exemple.fr"] * 2
    assert welcome_link(mailbox[1]).startswith("/cohortes/bienvenue/")
    # Once the password is chosen there is nothing to send again.
    auth.logout()
    client.submit(welcome_link(mailbox[1]), {"password": PASSWORD, "confirm": PASSWORD})
    auth.login(services.trainers(cohort)[0].email)
    db.session.execute(update(CohortNotice).values(sent_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    refused = client.submit(resend)
    assert refused.status_code == 303 and "Rien à renvoyer" in flashed(client, refused)
    assert len(mailbox) == 2
    # A person outside the cohort: 404, nothing sent.
    assert (
        client.submit(url(cohort, f"/apprenants/{create_user().id}/invitation")).status_code == 404
    )


def test_pending_consent_invitations_are_sent_again(client, cohort, mailbox, create_user):
    bruno = create_user(email="bruno@exemple.fr")
    confirm(client, cohort, upload(client, cohort, HEADER + f"{bruno.email},Bruno,Le Gall,,29\n"))
    assert len(mailbox) == 1 and "Accepter ou refuser" in body(mailbox[0])
    again = url(cohort, "/invitations/renvoi")
    assert "Aucune invitation à renvoyer" in flashed(client, client.submit(again))
    db.session.execute(update(CohortNotice).values(sent_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert "1 invitation(s) renvoyée(s)" in flashed(client, client.submit(again))
    client.submit(again)
    assert [m["To"] for m in mailbox] == ["bruno@exemple.fr"] * 2
    assert "Accepter ou refuser" in body(mailbox[1])


# --- who is active -----------------------------------------------------------------------------


def test_joining_is_no_activity_and_never_started_is_said_apart(
    client, cohort, create_user, mailbox
):
    newcomer = enrol(cohort, create_user(first_name="Nina", last_name="Nouvelle"))
    active = enrol(cohort, create_user(first_name="Adam", last_name="Actif"))
    idle = enrol(cohort, create_user(first_name="Iris", last_name="Inactive"))
    module = progress.catalogue().modules[0]
    for person in (active, idle):
        progress.complete_lesson(person, module, module.lessons[0])
    db.session.execute(
        update(StoredStatement)
        .where(StoredStatement.user_id == idle.id)
        .values(stored=utcnow() - timedelta(days=20))
    )
    db.session.commit()
    rows = {row.user.id: row for row in dashboard.load(cohort)}
    assert rows[newcomer.id].never_started and rows[newcomer.id].stuck  # signed up today
    assert not rows[active.id].stuck and rows[idle.id].stuck and rows[idle.id].idle_days == 20
    assert dashboard.totals(list(rows.values()))["actifs"] == 1
    page = client.get(url(cohort)).get_data(as_text=True)
    row = re.search(r"Nouvelle Nina</a></th>(.*?)</tr>", page, re.S).group(1)
    assert "jamais commencé" in row and "inactif depuis" not in row
    row = re.search(r"Inactive Iris</a></th>(.*?)</tr>", page, re.S).group(1)
    assert "inactif depuis 20 jours" in row and "jamais commencé" not in row
    assert '<p class="fr-tile__title">1</p><p class="fr-tile__detail">actifs' in page
    stuck = client.get(url(cohort, "?filtre=bloques")).get_data(as_text=True)
    assert "Nouvelle Nina" in stuck and "Inactive Iris" in stuck and "Actif Adam" not in stuck
    never = client.get(url(cohort, "?filtre=jamais-commence")).get_data(as_text=True)
    assert "Nouvelle Nina" in never and "Inactive Iris" not in never
    client.submit(url(cohort, "/relances"))
    assert sorted(m["To"] for m in mailbox) == sorted([newcomer.email, idle.email])


def test_a_formateurs_act_on_the_status_is_no_activity_of_the_learner(
    client, trainer, cohort, create_user
):
    from certificates import status
    from certificates.demo import certify

    person = enrol(cohort, create_user())
    certify(person)
    if not status.certificate_of(person):
        status.validate(person, trainer)
    month_ago = utcnow() - timedelta(days=30)
    db.session.execute(
        update(StoredStatement).where(StoredStatement.user_id == person.id).values(stored=month_ago)
    )
    db.session.commit()
    status.revoke(person, trainer, "Absent")  # today, by the formateur
    (row,) = dashboard.load(cohort)
    assert row.stuck and row.idle_days == 30


# --- the invitation link -----------------------------------------------------------------------


def test_the_link_is_shown_in_a_read_only_field_with_a_copy_button(client, cohort):
    page = client.get(url(cohort)).get_data(as_text=True)
    field = re.search(r'<input class="fr-input" id="lien-invitation"[^>]*>', page).group(0)
    assert f'value="http://cafeia.test/cohortes/rejoindre/{cohort.invite_code}"' in field
    assert "readonly" in field and '<label class="fr-label" for="lien-invitation">' in page
    assert '<span hidden><button type="button"' in page
    assert 'data-copie="lien-invitation">Copier le lien</button></span>' in page
    script = re.search(r'<script src="([^"]+copie-lien.js)" defer>', page).group(1)
    served = client.get(script)
    assert served.status_code == 200 and b"navigator.clipboard" in served.data
    served.close()


def test_replacing_the_link_stops_the_old_one_once_per_page(client, auth, cohort, create_user):
    old = cohort.invite_code
    member = enrol(cohort, create_user())
    client.submit(url(cohort, "/lien/nouveau"), {"lien": old})
    db.session.refresh(cohort)
    new = cohort.invite_code
    assert new != old and services.is_member(cohort, member)
    twice = client.submit(url(cohort, "/lien/nouveau"), {"lien": old})  # the same page again
    assert "déjà été remplacé" in flashed(client, twice)
    db.session.refresh(cohort)
    assert cohort.invite_code == new
    auth.logout()
    assert client.get(f"/cohortes/rejoindre/{old}").status_code == 404
    assert client.get(f"/cohortes/rejoindre/{new}").status_code == 200


def test_a_closed_link_joins_nobody_until_a_new_one(client, auth, cohort, create_user):
    client.submit(url(cohort, "/lien/fermeture"))
    page = client.get(url(cohort)).get_data(as_text=True)
    assert "Le lien d'invitation est fermé" in page and 'id="lien-invitation"' not in page
    person = create_user()
    auth.logout()
    auth.login(person.email)
    link = f"/cohortes/rejoindre/{cohort.invite_code}"
    closed = client.get(link)
    assert closed.status_code == 410 and "a été fermé" in closed.get_data(as_text=True)
    assert client.submit(link).status_code == 410 and count(CohortMember) == 0
    auth.logout()
    auth.login(services.trainers(cohort)[0].email)
    client.submit(url(cohort, "/lien/nouveau"), {"lien": cohort.invite_code})
    db.session.refresh(cohort)
    auth.logout()
    auth.login(person.email)
    client.submit(f"/cohortes/rejoindre/{cohort.invite_code}")
    assert services.is_member(cohort, person)


# --- the CSV template --------------------------------------------------------------------------


def test_the_csv_template_has_the_columns_and_imports_once_filled(client, cohort):
    page = client.get(url(cohort, "/import")).get_data(as_text=True)
    assert 'href="/formateur/cohortes/modele-import.csv" download' in page
    response = client.get("/formateur/cohortes/modele-import.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "modele-import-apprenants.csv" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    (header,) = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text else ","))
    assert header == importing.COLUMNS
    filled = text + "zoe@exemple.fr,Zoé,Morel,Mairie,56\n".replace(",", ";" if ";" in text else ",")
    assert upload(client, cohort, filled).status_code == 200


def test_the_csv_template_is_for_formateurs(client, auth, create_user):
    auth.logout()
    assert client.get("/formateur/cohortes/modele-import.csv").status_code == 302
    auth.login(create_user().email)
    assert client.get("/formateur/cohortes/modele-import.csv").status_code == 403


# --- removing a learner, a co-formateur --------------------------------------------------------


def test_removing_a_learner_asks_first_keeps_their_data_and_tells_them(
    client, cohort, create_user, mailbox
):
    person = enrol(cohort, create_user(first_name="Léa", last_name="Roux"))
    module = progress.catalogue().modules[0]
    progress.complete_lesson(person, module, module.lessons[0])
    learner_page = client.get(url(cohort, f"/apprenants/{person.id}")).get_data(as_text=True)
    removal = url(cohort, f"/apprenants/{person.id}/retrait")
    assert f'href="{removal}"' in learner_page
    confirm_page = client.get(removal).get_data(as_text=True)
    assert "Retirer Léa Roux de la cohorte « Morbihan printemps » ?" in confirm_page
    assert services.is_member(cohort, person)  # a GET changes nothing
    done = client.submit(removal)
    assert done.status_code == 302
    assert "Léa Roux ne fait plus partie de la cohorte" in flashed(client, done)
    assert not services.is_member(cohort, person)
    assert db.session.scalar(select(LessonProgress.id).where(LessonProgress.user_id == person.id))
    assert db.session.get(User, person.id) is not None
    (message,) = mailbox
    assert message["To"] == person.email
    assert message["Subject"] == (
        "Café IA Formation : vous ne faites plus partie de la cohorte « Morbihan printemps »"
    )
    assert "Karim Benali vous a retiré·e" in body(message)
    assert "votre progression, vos résultats aux quiz et votre statut restent les vôtres" in body(
        message
    )
    again = client.submit(removal)  # a double click
    assert again.status_code == 303 and len(mailbox) == 1
    assert client.get(removal).status_code == 404
    assert client.get(url(cohort, f"/apprenants/{person.id}")).status_code == 404


def test_a_removed_import_is_not_sent_its_pending_invitation(client, cohort, mailbox, monkeypatch):
    monkeypatch.setattr("cohorts.notices.IMMEDIATE", 0)
    monkeypatch.setattr("cohorts.notices.send_in_background", lambda cohort_id: None)
    confirm(client, cohort, upload(client, cohort, HEADER + "zoe@exemple.fr,Zoé,Morel,,56\n"))
    zoe = db.session.scalar(select(User).where(User.email == "zoe@exemple.fr"))
    client.submit(url(cohort, f"/apprenants/{zoe.id}/retrait"))
    client.submit(url(cohort, "/import/envois"))
    assert [m["Subject"] for m in mailbox] == [
        "Café IA Formation : vous ne faites plus partie de la cohorte « Morbihan printemps »"
    ]
    assert count(CohortNotice) == 0


def test_another_formateur_cannot_remove_and_forged_ids_change_nothing(
    client, auth, cohort, create_user, mailbox
):
    person = enrol(cohort, create_user())
    outsider = create_user()
    assert client.get(url(cohort, f"/apprenants/{outsider.id}/retrait")).status_code == 404
    assert client.submit(url(cohort, f"/apprenants/{outsider.id}/retrait")).status_code == 303
    assert client.submit(url(cohort, "/apprenants/999999/retrait")).status_code == 303
    auth.logout()
    auth.login(create_user(role="formateur").email)
    assert client.submit(url(cohort, f"/apprenants/{person.id}/retrait")).status_code == 403
    assert services.is_member(cohort, person) and mailbox == []


def test_a_co_formateur_is_removed_but_never_the_last(client, auth, trainer, cohort, create_user):
    colleague = create_user(role="formateur", first_name="Nadia", last_name="Cohen")
    services.add_trainer(cohort, colleague)
    page = client.get(url(cohort, "/modifier")).get_data(as_text=True)
    assert "Retirer Nadia Cohen" in page and "Me retirer de la cohorte" in page
    done = client.submit(url(cohort, f"/formateurs/{colleague.id}/retrait"))
    assert "Nadia Cohen n&#39;anime plus la cohorte" in flashed(client, done)
    assert services.trainers(cohort) == [trainer]
    last = client.submit(url(cohort, f"/formateurs/{trainer.id}/retrait"))
    assert last.status_code == 303 and "au moins un formateur" in flashed(client, last)
    forged = client.submit(url(cohort, f"/formateurs/{create_user().id}/retrait"))
    assert forged.status_code == 303 and services.trainers(cohort) == [trainer]
    auth.logout()
    auth.login(colleague.email)  # no longer theirs
    assert client.submit(url(cohort, f"/formateurs/{trainer.id}/retrait")).status_code == 403


def test_a_formateur_may_leave_a_cohort_a_colleague_keeps(client, trainer, cohort, create_user):
    colleague = create_user(role="formateur")
    services.add_trainer(cohort, colleague)
    response = client.submit(url(cohort, f"/formateurs/{trainer.id}/retrait"))
    assert response.location == "/formateur" and services.trainers(cohort) == [colleague]


ARCHIVED_HEADING = '<h2 class="fr-h4 fr-mt-6w">Cohortes archivées</h2>'

# --- archiving ---------------------------------------------------------------------------------


def test_an_archived_cohort_leaves_the_list_stays_readable_and_joins_nobody(
    client, auth, cohort, create_user, mailbox
):
    person = enrol(cohort, create_user())
    assert "« Cohortes archivées »" in flashed(client, client.submit(url(cohort, "/archivage")))
    home = client.get("/formateur").get_data(as_text=True)
    active, archived = home.split(ARCHIVED_HEADING)
    assert "Morbihan printemps" not in active and "Morbihan printemps" in archived
    page = client.get(url(cohort))
    assert page.status_code == 200 and "Cohorte archivée le" in page.get_data(as_text=True)
    assert client.get(url(cohort, f"/apprenants/{person.id}")).status_code == 200
    assert client.get(url(cohort, "/export.csv")).status_code == 200
    for refused in ("/import", "/relances", "/lien/nouveau"):
        response = client.submit(url(cohort, refused), {"lien": cohort.invite_code})
        assert response.status_code == 303, refused
        assert "Cette cohorte est archivée" in flashed(client, response)
    assert mailbox == []
    newcomer = create_user()
    auth.logout()
    auth.login(newcomer.email)
    link = f"/cohortes/rejoindre/{cohort.invite_code}"
    closed = client.get(link)
    assert closed.status_code == 410 and "archivée" in closed.get_data(as_text=True)
    assert client.submit(link).status_code == 410 and not services.is_member(cohort, newcomer)
    auth.logout()
    auth.login(services.trainers(cohort)[0].email)
    client.submit(url(cohort, "/restauration"))
    db.session.refresh(cohort)
    assert (
        not cohort.archived
        and "Morbihan printemps"
        in client.get("/formateur").get_data(as_text=True).split(ARCHIVED_HEADING)[0]
    )
    auth.logout()
    auth.login(newcomer.email)
    client.submit(link)
    assert services.is_member(cohort, newcomer)


def test_archiving_twice_keeps_the_first_date(client, cohort):
    client.submit(url(cohort, "/archivage"))
    first = db.session.scalar(select(Cohort.archived_at))
    client.submit(url(cohort, "/archivage"))
    assert db.session.scalar(select(Cohort.archived_at)) == first is not None


# --- the questions page ------------------------------------------------------------------------


def test_the_questions_page_says_what_is_hidden_and_why(client, cohort):
    page = client.get(url(cohort, "/questions")).get_data(as_text=True)
    assert "la part de bonnes réponses n'est pas affichée" in page
    assert "permettrait de deviner ce qu'une personne précise a répondu" in page
    assert "&lt; 5" not in page


def test_an_invitation_row_stays_after_removal_so_an_import_does_not_enrol_again(
    client, cohort, create_user
):
    """Removed, an existing account named again in an import is invited: never enrolled."""
    person = enrol(cohort, create_user())
    client.submit(url(cohort, f"/apprenants/{person.id}/retrait"))
    line = f"{person.email},{person.first_name},{person.last_name},,56\n"
    confirm(client, cohort, upload(client, cohort, HEADER + line))
    assert not services.is_member(cohort, person)
    assert db.session.scalar(select(CohortInvitation.state)) == CohortInvitation.PENDING
