"""What the agenda publishes for other programs, read back by libraries we did not write:
frictionless (the Table Schema), icalendar (the feeds), extruct (the JSON-LD, as a search
engine reads a page). No participant ever appears in any of them."""

import csv
import io

import extruct
import pytest
from frictionless import Resource, Schema
from icalendar import Calendar

from tests.cafes.helpers import PAYLOADS, announced, join

LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
# Google's Event structured data: required name, startDate, location; the issue asks for more.
EVENT_PROPERTIES = {
    "name",
    "startDate",
    "endDate",
    "eventAttendanceMode",
    "location",
    "isAccessibleForFree",
    "maximumAttendeeCapacity",
    "organizer",
}


@pytest.fixture
def cafes(client, auth, animateur):
    """Three cafés, one of each format, with participants who must never be published."""
    made = [
        announced(client, title="Présentiel"),
        announced(client, title="En ligne", format="en_ligne", online_link="https://visio.exemple.fr/secret"),
        announced(client, title="Hybride", format="hybride", departement="974", commune="Saint-Paul", online_link="https://visio.exemple.fr/secret"),
    ]  # fmt: skip
    for cafe in made:
        join(client, cafe.id, name="Participante Secrète", email="secrete@exemple.fr")
    auth.logout()
    return made


def schema(client) -> Schema:
    return Schema.from_descriptor(client.get("/cafes/schema.json").json)


def test_the_csv_is_valid_against_its_table_schema(client, cafes, tmp_path):
    response = client.get("/cafes.csv")
    path = tmp_path / "agenda.csv"
    path.write_bytes(response.data)
    resource = Resource(
        path=path.name, basepath=str(tmp_path), schema=schema(client), encoding="utf-8-sig"
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["titre"] for row in rows] == ["Présentiel", "En ligne", "Hybride"]
    assert f'<{LICENCE_URL}>; rel="license"' in response.headers["Link"]


def test_the_json_is_valid_against_its_table_schema(client, cafes):
    data = client.get("/cafes.json").json
    assert LICENCE_URL in data["licence"] and data["schema"] == "/cafes/schema.json"
    fields = [field.name for field in schema(client).fields]
    table = [fields] + [[row[name] for name in fields] for row in data["cafes"]]
    report = Resource(data=table, schema=schema(client)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert set(data["cafes"][0]) == set(fields)


def test_the_schema_fails_a_broken_table(client, cafes):
    """The check can fail: a capacity of zero and an unknown format are refused."""
    data = client.get("/cafes.json").json["cafes"]
    fields = [field.name for field in schema(client).fields]
    broken = {**data[0], "capacite": 0, "format": "fete"}
    report = Resource(data=[fields, [broken[n] for n in fields]], schema=schema(client)).validate()
    assert not report.valid


def test_no_participant_nor_online_link_is_published(client, cafes):
    published = [
        client.get(url).get_data(as_text=True)
        for url in ("/cafes.csv", "/cafes.json", "/cafes.ics", "/cafes/departements/974.ics")
    ] + [client.get(f"/cafes/{cafe.id}").get_data(as_text=True) for cafe in cafes]
    for text in published:
        assert "Secrète" not in text and "secrete@" not in text and "visio.exemple.fr" not in text


def test_the_feeds_parse_back_with_their_time_zones(client, cafes):
    calendar = Calendar.from_ical(client.get("/cafes.ics").data)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Café IA : Présentiel", "Café IA : En ligne", "Café IA : Hybride"}
    assert str(events["Café IA : Hybride"].decoded("dtstart").tzinfo) == "Indian/Reunion"
    assert str(events["Café IA : En ligne"]["location"]) == "En ligne"
    assert len({str(e["uid"]) for e in events.values()}) == 3
    (event,) = Calendar.from_ical(client.get("/cafes/departements/974.ics").data).walk("VEVENT")
    assert str(event["summary"]) == "Café IA : Hybride"
    assert client.get("/cafes/departements/99.ics").status_code == 404


@pytest.mark.parametrize("title", ["Présentiel", "En ligne", "Hybride"])
def test_each_page_carries_a_schema_org_event(client, cafes, title):
    cafe = next(c for c in cafes if c.title == title)
    html = client.get(f"/cafes/{cafe.id}").get_data(as_text=True)
    (event,) = extruct.extract(html, syntaxes=["json-ld"], uniform=True)["json-ld"]
    assert event["@type"] == "Event" and set(event) >= EVENT_PROPERTIES
    assert event["name"] == title and event["isAccessibleForFree"] is True
    assert event["maximumAttendeeCapacity"] == 12
    assert event["startDate"].startswith(cafe.day.isoformat() + "T18:00:00")
    mode = {"Présentiel": "Offline", "En ligne": "Online", "Hybride": "Mixed"}[title]
    assert event["eventAttendanceMode"] == f"https://schema.org/{mode}EventAttendanceMode"
    assert event["organizer"]["name"] == "Léa M."


def test_hostile_text_cannot_leave_the_json_ld(client, auth, animateur):
    cafe = announced(client, **PAYLOADS)
    html = client.get(f"/cafes/{cafe.id}").get_data(as_text=True)
    (event,) = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
    assert event["name"] == PAYLOADS["title"]  # the text kept, as data
    assert event["description"] == PAYLOADS["description"]
    assert "<script>alert" not in html and "<img src=x" not in html
