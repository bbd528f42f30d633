"""Open data: what /annuaire.csv and /annuaire.json publish, under which licence, and how safely."""

import csv
import io

import pytest

from certificates import status
from tests.helpers import PAYLOADS, listed, publish

LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
PUBLIC = {"email": "camille.public@exemple.fr", "telephone": "02 97 00 00 00"}


def csv_rows(client) -> list[dict]:
    text = client.get("/annuaire.csv").get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_json_export_is_data_not_a_page(client, animateur):
    assert publish(client, **PAYLOADS).status_code == 302
    response = client.get("/annuaire.json")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # never sniffed as HTML
    (row,) = response.json["animateurs"]
    assert row["nom_affiche"] == PAYLOADS["display_name"]  # kept as it was written
    assert row["presentation"] == PAYLOADS["presentation"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client, create_user, start):
    listed(create_user, structure=f"{start}SUM(1)", commune=f"{start}1+1")
    (row,) = csv_rows(client)
    assert row["structure"] == f"'{start}SUM(1)" and row["commune"] == f"'{start}1+1"


def test_the_licence_is_carried_by_every_export(client):
    links = client.get("/annuaire.csv").headers["Link"]
    assert f'<{LICENCE_URL}>; rel="license"' in links
    assert '</annuaire/schema.json>; rel="describedby"' in links
    data = client.get("/annuaire.json").json
    assert "Licence Ouverte" in data["licence"] and LICENCE_URL in data["licence"]
    (licence,) = client.get("/annuaire/schema.json").json["licenses"]
    assert licence["name"] == "etalab-2.0" and licence["path"] == LICENCE_URL


def test_a_revoked_listing_leaves_every_public_page(client, auth, animateur, create_user):
    publish(client, display_name="Camille Révoquée")
    listed(create_user, display_name="Dominique Valide")
    status.revoke(animateur, create_user(role="admin"), "Test")
    auth.logout()
    assert "Camille Révoquée" not in client.get("/annuaire").get_data(as_text=True)
    assert [row["nom_affiche"] for row in csv_rows(client)] == ["Dominique Valide"]
    names = [row["nom_affiche"] for row in client.get("/annuaire.json").json["animateurs"]]
    assert names == ["Dominique Valide"]


@pytest.mark.parametrize("mode", ["email", "telephone"])
def test_back_to_the_relay_the_public_contact_is_gone(client, animateur, mode):
    shown = PUBLIC[mode]
    publish(
        client, contact_mode=mode, public_email=PUBLIC["email"], public_phone=PUBLIC["telephone"]
    )
    assert shown in client.get("/annuaire.csv").get_data(as_text=True)
    # The form still holds the address or number: choosing the relay must drop it anyway.
    publish(
        client,
        contact_mode="relais",
        public_email=PUBLIC["email"],
        public_phone=PUBLIC["telephone"],
    )
    (row,) = client.get("/annuaire.json").json["animateurs"]
    page = client.get(row["fiche_url"].removeprefix("http://cafeia.test")).get_data(as_text=True)
    assert row["contact"] == "relais" and "Envoyer le message" in page
    for exported in (page, client.get("/annuaire.csv").get_data(as_text=True), str(row)):
        assert shown not in exported
