"""The annuaire: opt-in listings, search, map, open data, contact relay."""

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from annuaire.models import Listing
from annuaire.views import COLUMNS
from certificates import status
from lms.extensions import db
from tests.helpers import count_listings, listed, publish

# --- publishing --------------------------------------------------------------------------------


def test_consent_is_required_and_its_date_kept(client, animateur):
    refused = publish(client, consent="")
    assert refused.status_code == 422 and "Votre accord est nécessaire" in refused.get_data(
        as_text=True
    )
    assert count_listings() == 0
    assert publish(client).status_code == 302
    listing = db.session.scalar(select(Listing))
    assert listing.consented_at is not None and listing.region == "Bretagne"


def test_the_consent_text_says_what_to_whom_and_how_to_withdraw(client, animateur):
    page = " ".join(html.unescape(client.get("/annuaire/ma-fiche").get_data(as_text=True)).split())
    for promise in (
        "Les champs de ce formulaire seront visibles",  # what
        "par toute personne qui consulte l'annuaire, sans compte",  # to whom
        "publiés en données ouvertes (Licence Ouverte 2.0)",
        "Votre adresse électronique de compte n'est jamais publiée",
        "Vous pouvez masquer ou supprimer votre fiche à tout moment",  # how to withdraw
        "J'accepte que ces informations soient publiées",
    ):
        assert promise in page
    assert "Accord donné le" not in page  # no listing, no consent yet


def test_the_consent_date_is_shown_and_renewed(client, animateur):
    publish(client)
    listing = db.session.scalar(select(Listing))
    listing.consented_at = datetime(2024, 3, 5, 10, tzinfo=UTC)
    db.session.commit()
    assert "Accord donné le 05/03/2024." in client.get("/annuaire/ma-fiche").get_data(as_text=True)
    publish(client, presentation="Cafés IA le jeudi.")  # a new agreement, a new date
    today = datetime.now(UTC).strftime("%d/%m/%Y")
    assert f"Accord donné le {today}." in client.get("/annuaire/ma-fiche").get_data(as_text=True)


def test_only_certified_animateurs_publish(client, login_as):
    login_as()
    assert client.get("/annuaire/ma-fiche").status_code == 403
    assert publish(client).status_code == 403 and count_listings() == 0


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"departement": "99"}, "choix valide"),
        ({"formats": []}, "au moins un format"),
        ({"audiences": ["licornes"]}, "choix valide"),
        ({"presentation": "x" * 601}, "600 caractères"),
        ({"contact_mode": "email", "public_email": ""}, "Indiquez l&#39;adresse à afficher"),
        (
            {"contact_mode": "telephone", "public_phone": "appelez-moi"},
            "numéro de téléphone valide",
        ),
        ({"display_name": ""}, "Indiquez le nom à afficher"),
        ({"display_name": "Camille\r\nM."}, "une seule ligne"),
        ({"structure": "Médiathèque\u2028de Rennes"}, "une seule ligne"),
        ({"commune": "Brest\tCentre"}, "une seule ligne"),
    ],
)
def test_bad_listings_are_refused(client, animateur, changes, message):
    response = publish(client, **changes)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count_listings() == 0


def test_html_is_shown_as_text(client, animateur):
    publish(
        client,
        display_name="<script>alert(1)</script>",
        presentation="<img src=x onerror=alert(1)>",
    )
    listing = db.session.scalar(select(Listing))
    page = client.get(f"/annuaire/{listing.id}").get_data(as_text=True)
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )
    assert "<img src=x" not in page


# --- search and map ----------------------------------------------------------------------------


def test_each_filter(client, create_user):
    a = listed(
        create_user,
        display_name="Alice",
        commune="Lyon",
        departement_code="69",
        formats=["en_ligne"],
        audiences=["seniors"],
        presentation="robots et poésie",
    )
    b = listed(
        create_user,
        display_name="Bruno",
        commune="Brest",
        departement_code="29",
        region="Bretagne",
        formats=["presentiel"],
        audiences=["jeunes"],
    )
    cases = {
        "q=po%C3%A9sie": {a},
        "q=BRUNO": {b},
        "region=Bretagne": {b},
        "departement=69": {a},
        "commune=brest": {b},
        "format=en_ligne": {a},
        "public=jeunes": {b},
        "": {a, b},
    }
    for query, expected in cases.items():
        page = client.get(f"/annuaire?{query}").get_data(as_text=True)
        found = {listing for listing in (a, b) if f'/annuaire/{listing.id}"' in page}
        assert found == expected, query


@pytest.mark.parametrize(
    "query", ["departement=20", "region=Atlantide", "format=fax", "public=robots"]
)
def test_unknown_filters_are_refused(client, query):
    response = client.get(f"/annuaire?{query}")
    assert response.status_code == 400 and "inconnu" in response.get_data(as_text=True)


def test_map_counts_equal_the_table(client, create_user):
    for dep in ("69", "69", "29", "974"):
        listed(create_user, departement_code=dep)
    page = client.get("/annuaire").get_data(as_text=True)
    on_map = {
        name: int(n) for name, n in re.findall(r'aria-label="([^":]+) : (\d+) animateur', page)
    }
    in_table = {
        name: int(n)
        for name, n in re.findall(
            r'<th scope="row"><a [^>]+>\w+ — ([^<]+)</a></th><td [^>]*>(\d+)</td>', page
        )
    }
    assert (
        on_map["Rhône"] == in_table["Rhône"] == 2
        and on_map["Finistère"] == in_table["Finistère"] == 1
    )
    assert in_table["La Réunion"] == 1  # overseas: in the table
    assert all(on_map[name] == n for name, n in in_table.items() if name in on_map)
    assert sum(on_map.values()) == 3 and len(on_map) == 96


# --- hiding, revoking, deleting ----------------------------------------------------------------


def test_hiding_revoking_and_deleting_remove_the_listing(client, auth, animateur, create_user):
    publish(client)
    listing = db.session.scalar(select(Listing))
    url = f"/annuaire/{listing.id}"
    assert client.get(url).status_code == 200
    client.submit("/annuaire/ma-fiche/visibilite", {"visible": "0"})
    assert client.get(url).status_code == 404 and "Camille M." not in client.get(
        "/annuaire.csv"
    ).get_data(as_text=True)
    client.submit("/annuaire/ma-fiche/visibilite", {"visible": "1"})
    assert client.get(url).status_code == 200
    status.revoke(animateur, create_user(role="admin"), "Test")
    assert client.get(url).status_code == 404 and "Camille M." not in client.get(
        "/annuaire"
    ).get_data(as_text=True)
    status.restore(animateur, create_user(role="admin"), "Test")
    assert client.get(url).status_code == 200
    from tests.conftest import PASSWORD

    client.submit("/mon-compte/supprimer", {"password": PASSWORD, "confirm": "y"})
    assert count_listings() == 0


def test_withdrawing_deletes_the_listing(client, animateur):
    publish(client)
    client.submit("/annuaire/ma-fiche/retirer")
    assert count_listings() == 0


# --- open data ---------------------------------------------------------------------------------


def test_exports_hold_consented_fields_only(client, animateur, create_user):
    publish(client, structure='=HYPERLINK("http://pirate")', presentation="@SUM(1)")
    listed(create_user, contact_mode="email", public_email="public@exemple.fr", visible=False)
    text = client.get("/annuaire.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0]) == COLUMNS and len(rows) == 1  # the hidden one is not exported
    assert rows[0]["structure"].startswith("'=") and rows[0]["presentation"] == "'@SUM(1)"
    assert animateur.email not in text and animateur.last_name not in text
    data = client.get("/annuaire.json").json
    assert "Licence Ouverte" in data["licence"] and list(data["animateurs"][0]) == COLUMNS
    schema = client.get("/annuaire/schema.json").json
    assert [f["name"] for f in schema["fields"]] == COLUMNS


def test_a_chosen_public_email_is_exported(client, animateur):
    publish(client, contact_mode="email", public_email="camille.public@exemple.fr")
    (row,) = client.get("/annuaire.json").json["animateurs"]
    assert row["email_public"] == "camille.public@exemple.fr" and row["contact"] == "email"


# --- contact relay -----------------------------------------------------------------------------


def test_contact_is_relayed_without_revealing_addresses(client, auth, animateur, mailbox):
    publish(client)
    listing = db.session.scalar(select(Listing))
    auth.logout()
    page = client.get(f"/annuaire/{listing.id}").get_data(as_text=True)
    assert animateur.email not in page
    response = client.submit(
        f"/annuaire/{listing.id}/contact",
        {
            "name": "Mairie de Ploemeur",
            "email": "contact@ploemeur.example",
            "message": "Un café en mars ?",
        },
    )
    assert response.status_code == 302
    (mail,) = mailbox
    assert mail["To"] == animateur.email and "contact@ploemeur.example" in mail.get_content()
    assert "Un café en mars ?" in mail.get_content()


def test_the_honeypot_sends_nothing(client, animateur, mailbox):
    publish(client)
    listing = db.session.scalar(select(Listing))
    response = client.submit(
        f"/annuaire/{listing.id}/contact",
        {
            "name": "Robot",
            "email": "robot@spam.example",
            "message": "Achetez",
            "website": "http://spam",
        },
    )
    assert response.status_code == 302 and mailbox == []


def test_contact_is_rate_limited_and_validated(app, client, animateur, mailbox):
    publish(client)
    listing = db.session.scalar(select(Listing))
    bad = client.submit(
        f"/annuaire/{listing.id}/contact", {"name": "X", "email": "pas-une-adresse", "message": "M"}
    )
    assert bad.status_code == 422 and mailbox == []
    limit = int(app.config["CONTACT_RATE_LIMIT"].split()[0])
    for _ in range(limit - 1):
        client.submit(
            f"/annuaire/{listing.id}/contact",
            {"name": "X", "email": "x@exemple.fr", "message": "M"},
        )
    response = client.submit(
        f"/annuaire/{listing.id}/contact", {"name": "X", "email": "x@exemple.fr", "message": "M"}
    )
    assert response.status_code == 429 and len(mailbox) == limit - 1
