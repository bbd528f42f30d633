"""Hostile text in every field, and values no page of ours sends: a French 4xx, nothing kept."""

import pytest
from sqlalchemy import func, select

from cafes.models import Cafe
from lms.extensions import db
from tests.cafes.helpers import (
    CAFE,
    PAYLOADS,
    announce,
    announced,
    count_registrations,
    in_days,
    join,
)


def count_cafes() -> int:
    return db.session.scalar(select(func.count()).select_from(Cafe))


def test_hostile_text_is_shown_as_text_everywhere(client, auth, animateur):
    cafe = announced(client, **PAYLOADS, format="hybride", animation="autre")
    join(client, cafe.id, name=PAYLOADS["title"], email="p@exemple.fr")
    pages = [
        f"/cafes/{cafe.id}",
        "/cafes",
        "/mes-cafes",
        f"/mes-cafes/{cafe.id}/participants",
        f"/mes-cafes/{cafe.id}/modifier",
        f"/cafes/animateurs/{animateur.id}",
    ]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
    assert "&lt;script&gt;alert(&#34;title&#34;)" in client.get("/cafes").get_data(as_text=True)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "Donnez un titre au café."),
        ({"title": "x" * 121}, "120"),
        ({"title": "Deux\nlignes"}, "une seule ligne"),
        ({"description": "x" * 1001}, "1000"),
        ({"day": in_days(-1)}, "aujourd&#39;hui ou plus tard"),
        ({"day": "2999-01-01"}, "Date hors de la période possible"),
        ({"day": "demain"}, "date"),
        ({"ends": "17:00"}, "L&#39;heure de fin doit suivre"),
        ({"capacity": "0"}, "Entre 1 et 40 places."),
        ({"capacity": "41"}, "Entre 1 et 40 places."),
        ({"capacity": "douze"}, "entier"),
        ({"online_link": "javascript:alert(1)", "format": "en_ligne"}, "https://"),
        ({"animation": "autre"}, "Nommez le format"),
        ({"departement": ""}, "Choisissez un département."),
    ],
)
def test_bad_announcements_are_refused_in_french(client, animateur, changes, message):
    response = announce(client, **changes)
    assert response.status_code in (400, 422)
    assert message in response.get_data(as_text=True)
    assert count_cafes() == 0


@pytest.mark.parametrize(
    "field, value", [("format", "fete"), ("audience", "robots"), ("departement", "99")]
)
def test_forged_choices_are_a_400(client, animateur, field, value):
    assert announce(client, **{field: value}).status_code == 400
    assert count_cafes() == 0


def test_co_animateurs_come_from_the_annuaire_only(client, animateur, create_user):
    from tests.helpers import listed

    other = listed(create_user, display_name="Yann L.")
    assert announce(client, co_animateurs=["999999"]).status_code == 400
    cafe = announced(client, co_animateurs=[str(other.id)])
    assert "Yann L." in client.get(f"/cafes/{cafe.id}").get_data(as_text=True)


def test_duplicate_copies_everything_but_the_date(client, animateur):
    cafe = announced(client, title="Café du jeudi")
    page = client.get(f"/mes-cafes/{cafe.id}/dupliquer").get_data(as_text=True)
    assert 'value="Café du jeudi"' in page and f'value="{CAFE["day"]}"' not in page
    announced(client, title="Café du jeudi", day=in_days(17))
    assert count_cafes() == 2


def test_the_capacity_cannot_drop_below_those_registered(client, animateur):
    cafe = announced(client, capacity="3")
    for n in range(3):
        join(client, cafe.id, email=f"p{n}@exemple.fr")
    response = client.submit(f"/mes-cafes/{cafe.id}/modifier", {**CAFE, "capacity": "2"})
    assert response.status_code == 422 and "3 personnes sont déjà inscrites" in response.get_data(
        as_text=True
    )


def test_an_animateur_acts_only_on_their_cafes(client, auth, animateur, login_as):
    from certificates.demo import certify

    cafe = announced(client)
    auth.logout()
    other = login_as()
    certify(other)
    for url in (f"/mes-cafes/{cafe.id}/modifier", f"/mes-cafes/{cafe.id}/participants"):
        assert client.get(url).status_code == 404
    assert client.submit(f"/mes-cafes/{cafe.id}/annuler").status_code == 404
    assert db.session.get(Cafe, cafe.id).cancelled_at is None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": ""}, "Indiquez votre nom"),
        ({"name": "a\u2028b"}, "une seule ligne"),
        ({"name": "x" * 101}, "100"),
        ({"email": "pas-une-adresse"}, "adresse électronique valide"),
        ({"consent": ""}, "Votre accord est nécessaire"),
    ],
)
def test_bad_registrations_are_refused_in_french(client, auth, animateur, data, message):
    cafe = announced(client)
    auth.logout()
    response = join(client, cafe.id, **data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count_registrations() == 0


def test_the_honeypot_registers_nobody(client, auth, animateur):
    cafe = announced(client)
    auth.logout()
    assert join(client, cafe.id, website="http://spam.example").status_code == 302
    assert count_registrations() == 0


def test_the_animateur_registers_someone_by_phone(client, animateur):
    cafe = announced(client)
    url = f"/mes-cafes/{cafe.id}/participants"
    refused = client.submit(url, {"name": "Marcel", "consent": "y"})
    assert refused.status_code == 422
    assert "adresse électronique ou un numéro" in refused.get_data(as_text=True)
    assert client.submit(url, {"name": "Marcel", "phone": "abc", "consent": "y"}).status_code == 422
    ok = client.submit(url, {"name": "Marcel", "phone": "05 61 00 00 00", "consent": "y"})
    assert ok.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Marcel" in page and "05 61 00 00 00" in page and "print.css" in page


@pytest.mark.parametrize(
    "query, message",
    [
        ("departement=99", "Département inconnu."),
        ("region=Atlantide", "Région inconnue."),
        ("format=fete", "Format inconnu."),
        ("public=robots", "Public inconnu."),
        ("du=demain", "AAAA-MM-JJ"),
        ("du=2026-02-30", "AAAA-MM-JJ"),
        ("au=9999-12-31", "Date hors de la période possible"),
        ("du=2027-02-01&au=2027-01-01", "doit précéder"),
        ("page=0", "nombre entier"),
        ("page=٣", "nombre entier"),
        ("page=99", "n&#39;existe pas"),
    ],
)
def test_bad_agenda_parameters_are_a_french_400(client, query, message):
    response = client.get("/cafes?" + query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_moderation_hides_with_a_reason_and_tells_the_animateur(
    client, auth, animateur, login_as, mailbox
):
    cafe = announced(client)
    auth.logout()
    login_as("admin")
    assert client.submit(f"/admin/cafes/{cafe.id}/masquer", {"reason": ""}).status_code == 303
    assert db.session.get(Cafe, cafe.id).hidden_at is None
    response = client.submit(f"/admin/cafes/{cafe.id}/masquer", {"reason": "Café payant."})
    assert response.status_code == 302
    (mail,) = mailbox
    assert mail["To"] == animateur.email and "Café payant." in mail.get_content()
    db.session.expire_all()
    hidden = db.session.get(Cafe, cafe.id)
    assert hidden.hidden_reason == "Café payant."
    assert client.get(f"/cafes/{cafe.id}").status_code == 404
    assert client.get("/cafes.json").json["cafes"] == []
    client.submit(f"/admin/cafes/{cafe.id}/afficher")
    assert client.get(f"/cafes/{cafe.id}").status_code == 200
