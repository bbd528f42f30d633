"""Public search: pages of results, and free text that stays text."""

import re

import pytest

from annuaire.services import PER_PAGE
from lms.extensions import db
from tests.helpers import PAYLOADS, listed, only_listing, publish


def found_ids(page: str) -> list[str]:
    return re.findall(r'<h3[^>]*><a href="/annuaire/(\d+)"', page)


def test_results_come_twenty_a_page(client, create_user):
    ids = {str(listed(create_user, display_name=f"Animateur {n:02}").id) for n in range(25)}
    first = client.get("/annuaire").get_data(as_text=True)
    second = client.get("/annuaire?page=2").get_data(as_text=True)
    assert len(found_ids(first)) == PER_PAGE and len(found_ids(second)) == 25 - PER_PAGE
    assert set(found_ids(first)) | set(found_ids(second)) == ids
    assert 'href="/annuaire?page=2' in first and "25 animateurs trouvés" in second


@pytest.mark.parametrize(
    "page, message",
    [
        ("3", "La page 3 n&#39;existe pas : cette recherche tient sur 2 pages."),
        ("0", "Numéro de page invalide"),
        ("-1", "Numéro de page invalide"),
        ("deux", "Numéro de page invalide"),
        ("2.5", "Numéro de page invalide"),
    ],
)
def test_a_page_that_does_not_exist_is_refused(client, create_user, page, message):
    for n in range(PER_PAGE + 1):
        listed(create_user, display_name=f"Animateur {n:02}")
    response = client.get(f"/annuaire?page={page}&format=presentiel")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and message in text
    assert 'value="presentiel" selected' in text  # the search itself is kept


def test_an_empty_search_has_its_one_page(client):
    assert client.get("/annuaire?page=1").status_code == 200
    response = client.get("/annuaire?page=2")
    assert response.status_code == 400 and "tient sur 1 page." in response.get_data(as_text=True)


def assert_shown_as_text(page: str, fields):
    assert "<script>alert" not in page and "<img src=x" not in page
    for field in fields:
        assert f"&lt;script&gt;alert(&#34;{field}&#34;)&lt;/script&gt;" in page, field


def test_free_text_is_shown_as_text_on_the_listing(client, animateur):
    assert publish(client, **PAYLOADS).status_code == 302
    page = client.get(f"/annuaire/{only_listing().id}").get_data(as_text=True)
    assert_shown_as_text(page, PAYLOADS)


def test_free_text_is_shown_as_text_in_the_results(client, animateur):
    assert publish(client, **PAYLOADS).status_code == 302
    page = client.get("/annuaire").get_data(as_text=True)
    # The results show the name, the structure and the commune; the presentation is searched.
    assert_shown_as_text(page, ["display_name", "structure", "commune"])
    searched = client.get("/annuaire", query_string={"q": "alert"}).get_data(as_text=True)
    assert_shown_as_text(searched, ["display_name", "structure", "commune"])


def test_the_search_text_is_shown_as_text(client):
    page = client.get("/annuaire", query_string={"q": PAYLOADS["display_name"]})
    assert page.status_code == 200
    assert 'value="&#34;&gt;&lt;script&gt;' in page.get_data(as_text=True)
    assert "<script>alert" not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "typed", ["mediatheque", "MÉDIATHÈQUE", "Médiathèque", "médiathèque lorient", "coeur"]
)
def test_the_search_ignores_case_and_accents(client, create_user, typed):
    """On the suite's database: SQLite here, PostgreSQL in CI (DATABASE_URL)."""
    wanted = listed(create_user, structure="Médiathèque du Cœur", commune="Lorient")
    listed(create_user, structure="Mairie", commune="Brest")
    page = client.get("/annuaire", query_string={"q": typed}).get_data(as_text=True)
    assert found_ids(page) == [str(wanted.id)]


def test_a_percent_sign_is_only_text(client, create_user):
    listed(create_user, structure="Médiathèque")
    page = client.get("/annuaire", query_string={"q": "%"}).get_data(as_text=True)
    assert found_ids(page) == []


def test_a_change_of_name_is_searched_at_once(client, animateur):
    publish(client)
    publish(client, structure="Espace numérique d'Hennebont")
    assert found_ids(client.get("/annuaire?q=hennebont").get_data(as_text=True))
    assert not found_ids(client.get("/annuaire?q=mediatheque").get_data(as_text=True))


def test_listings_written_before_the_search_column_are_found(create_user):
    """The migration folds the listings that were there before it."""
    from flask_migrate import downgrade, upgrade

    from annuaire import services

    listed(create_user, structure="Médiathèque")
    db.session.remove()
    downgrade(revision="249e17c13344")
    upgrade()
    statement = services.Filters(q="MEDIATHEQUE").apply(services.public_listings())
    assert len(db.session.scalars(statement).all()) == 1
