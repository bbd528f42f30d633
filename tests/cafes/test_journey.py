"""The whole journey over HTTP: announce, find, join, wait, cancel, erase."""

import re
from datetime import date, timedelta

from icalendar import Calendar
from sqlalchemy import select

from cafes import services
from cafes.models import Cafe
from certificates import status
from lms.extensions import db
from tests.cafes.helpers import announced, count_registrations, join, statuses, text_of


def test_an_announced_cafe_is_in_the_agenda_the_map_and_the_feeds(client, auth, animateur):
    cafe = announced(client)
    auth.logout()
    agenda = client.get("/cafes").get_data(as_text=True)
    assert "L&#39;IA au quotidien" in agenda
    assert re.search(r'id="carte-31"[^>]*aria-label="Haute-Garonne : 1 café"', agenda)
    page = client.get(f"/cafes/{cafe.id}").get_data(as_text=True)
    assert "toujours gratuit" in page and "Gratuit." in page
    for url in (
        "/cafes.ics",
        "/cafes/departements/31.ics",
        f"/cafes/animateurs/{animateur.id}.ics",
    ):
        response = client.get(url)
        assert response.mimetype == "text/calendar"
        (event,) = Calendar.from_ical(response.data).walk("VEVENT")
        assert str(event["summary"]) == "Café IA : L'IA au quotidien"
        assert event.decoded("dtstart").hour == 18
        assert str(event.decoded("dtstart").tzinfo) == "Europe/Paris"
    assert Calendar.from_ical(client.get("/cafes/departements/29.ics").data).walk("VEVENT") == []
    (row,) = client.get("/cafes.json").json["cafes"]
    assert row["titre"] == "L'IA au quotidien" and row["gratuit"] is True


def test_filters_narrow_the_agenda(client, auth, animateur):
    announced(client, title="Café de Toulouse")
    announced(client, title="Café en ligne", format="en_ligne", departement="29")
    auth.logout()

    def titles(query):
        page = client.get("/cafes?" + query).get_data(as_text=True)
        return set(re.findall(r'<a href="/cafes/\d+">([^<]+)</a>', page))

    assert titles("") == {"Café de Toulouse", "Café en ligne"}
    assert titles("departement=31") == {"Café de Toulouse"}
    assert titles("region=Bretagne") == {"Café en ligne"}
    assert titles("format=en_ligne") == {"Café en ligne"}
    assert titles("public=jeunes") == set()
    day = (date.today() + timedelta(days=10)).isoformat()
    assert len(titles(f"du={day}&au={day}")) == 2
    assert titles(f"au={date.today().isoformat()}") == set()
    # The map keeps every département while one is chosen.
    page = client.get("/cafes?departement=29").get_data(as_text=True)
    assert re.search(r'id="carte-31"[^>]*aria-label="Haute-Garonne : 1 café"', page)


def test_registration_capacity_waiting_list_and_cancellation(client, auth, animateur, mailbox):
    cafe = announced(client, capacity="2")
    auth.logout()
    for n in (1, 2, 3):
        assert join(client, cafe.id, name=f"P{n}", email=f"p{n}@exemple.fr").status_code == 302
    assert statuses(cafe.id) == [
        ("p1@exemple.fr", "inscrit"),
        ("p2@exemple.fr", "inscrit"),
        ("p3@exemple.fr", "attente"),
    ]
    confirmation = mailbox[0]
    assert confirmation["To"] == "p1@exemple.fr"
    (ics,) = [part for part in confirmation.iter_attachments()]
    assert ics.get_content_type() == "text/calendar"
    (event,) = Calendar.from_ical(ics.get_content()).walk("VEVENT")
    assert "L'IA au quotidien" in str(event["summary"])
    link = re.search(r"http://cafeia.test(/cafes/desinscription/\S+)", text_of(confirmation))[1]
    assert "liste d'attente" in mailbox[2]["Subject"].lower()
    # The same e-mail twice is one registration.
    join(client, cafe.id, name="P1 encore", email="P1@exemple.fr")
    assert count_registrations() == 3

    assert "Annuler mon inscription" in client.get(link).get_data(as_text=True)
    assert client.submit(link).status_code == 200
    assert statuses(cafe.id) == [("p2@exemple.fr", "inscrit"), ("p3@exemple.fr", "inscrit")]
    assert mailbox[-1]["To"] == "p3@exemple.fr" and "place s'est libérée" in mailbox[-1]["Subject"]
    assert client.get(link).status_code == 404  # the token is gone with the registration
    assert client.get("/cafes/desinscription/devine").status_code == 404


def test_the_animateur_cancels_and_participants_are_told(client, animateur, mailbox):
    cafe = announced(client)
    join(client, cafe.id, email="a@exemple.fr")
    assert client.submit(f"/mes-cafes/{cafe.id}/annuler").status_code == 302
    assert mailbox[-1]["To"] == "a@exemple.fr" and "annulé" in mailbox[-1]["Subject"]
    assert client.submit(f"/mes-cafes/{cafe.id}/annuler").status_code == 302  # once
    assert sum("annulé" in m["Subject"] for m in mailbox) == 1
    assert "L&#39;IA au quotidien" not in client.get("/cafes").get_data(as_text=True)
    assert join(client, cafe.id, email="b@exemple.fr").status_code == 409


def test_participants_are_erased_four_weeks_after(client, animateur, runner):
    cafe = announced(client)
    join(client, cafe.id, email="a@exemple.fr")
    join(client, cafe.id, email="b@exemple.fr")
    result = runner.invoke(args=["cafes", "effacer"])
    assert "0 inscription" in result.output and count_registrations() == 2
    erased = services.erase_past_participants(cafe.day + services.ERASE_AFTER + timedelta(days=1))
    assert erased == 2 and count_registrations() == 0
    db.session.expire_all()
    kept = db.session.get(Cafe, cafe.id)
    assert kept.participants_count == 2 and kept.participants_erased_at is not None
    page = client.get(f"/mes-cafes/{cafe.id}/participants").get_data(as_text=True)
    assert "a@exemple.fr" not in page and "effacées 4 semaines après" in page


def test_a_reminder_the_day_before_once(client, animateur, mailbox):
    cafe = announced(client)
    join(client, cafe.id, email="a@exemple.fr")
    mailbox.clear()
    assert services.send_reminders(cafe.day - timedelta(days=2)) == 0
    assert services.send_reminders(cafe.day - timedelta(days=1)) == 1
    assert services.send_reminders(cafe.day - timedelta(days=1)) == 0
    (reminder,) = mailbox
    assert reminder["Subject"].startswith("Demain")


def test_a_revoked_animateur_s_cafes_disappear_and_come_back(client, auth, animateur, create_user):
    cafe = announced(client)
    admin = create_user(role="admin")
    status.revoke(animateur, admin, "Test")
    auth.logout()
    assert client.get(f"/cafes/{cafe.id}").status_code == 404
    assert client.get("/cafes.json").json["cafes"] == []
    assert Calendar.from_ical(client.get("/cafes.ics").data).walk("VEVENT") == []
    assert "carte-31" in client.get("/cafes").get_data(as_text=True)
    status.restore(animateur, admin, "Erreur")
    assert client.get(f"/cafes/{cafe.id}").status_code == 200
    assert len(client.get("/cafes.json").json["cafes"]) == 1


def test_past_cafes_leave_the_agenda_but_stay_on_the_animateur_s_page(client, animateur):
    cafe = announced(client)
    cafe.day = date.today() - timedelta(days=3)
    db.session.commit()
    assert "L&#39;IA au quotidien" not in client.get("/cafes").get_data(as_text=True)
    page = client.get(f"/cafes/animateurs/{animateur.id}").get_data(as_text=True)
    assert "Cafés passés" in page and "L&#39;IA au quotidien" in page
    assert "les inscriptions sont closes" in client.get(f"/cafes/{cafe.id}").get_data(as_text=True)


def test_only_certified_animateurs_announce(client, login_as):
    login_as()
    response = client.get("/mes-cafes/nouveau")
    assert response.status_code == 403 and "Accès réservé" in response.get_data(as_text=True)
    assert db.session.scalar(select(Cafe)) is None
