"""The pages: who may see them, their filters, the secrecy rule, a fixed number of queries."""

import re
from html import unescape

import pytest
from sqlalchemy import event

from lms.departements import all_departements
from lms.extensions import db
from tests.helpers import WEEK_2

PAGES = [
    "/admin/statistiques",
    "/admin/statistiques/territoires",
    "/admin/statistiques/publics",
    "/admin/statistiques/positionnement",
    "/admin/statistiques/questions",
]
EXPORTS = [
    f"/admin/statistiques/export/{name}.{fmt}"
    for name in ("entonnoir", "regions", "structures", "questions")
    for fmt in ("csv", "xlsx")
]


def text_of(response) -> str:
    """The page's text, tags removed and spaces made plain."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u202f", " ").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES + EXPORTS)
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/connexion" in response.location


@pytest.mark.parametrize("role", ["apprenant", "formateur"])
@pytest.mark.parametrize("path", PAGES + EXPORTS)
def test_only_admins_see_national_statistics(client, login_as, role, path):
    login_as(role)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES + EXPORTS)
def test_admins_see_every_page_and_export(admin_client, france, path):
    assert admin_client.get(path).status_code == 200


@pytest.mark.parametrize("path", PAGES + EXPORTS + ["/statistiques.json"])
def test_pages_work_before_anybody_signs_up(client, login_as, path):
    login_as("admin")
    assert client.get(path).status_code == 200


def test_the_open_data_is_public(client, france):
    response = client.get("/statistiques.json")
    assert response.status_code == 200 and response.json["totaux"]["inscrits"] == 14


# --- figures on the pages ----------------------------------------------------------------------


def test_overview_shows_the_funnel_with_small_cells_hidden(admin_client, france):
    text = text_of(admin_client.get("/admin/statistiques"))
    assert "Inscrit·es 14" in text and "Certifié·es 6" in text
    assert "Dans l'annuaire < 5" in text  # 4 visible listings
    assert "15,0 jours" in text  # the median delay
    assert "Avant la formation 12 5 41,7 %" in text


def test_territories_map_and_tables(admin_client, france):
    response = admin_client.get("/admin/statistiques/territoires?carte=certifies")
    html, text = response.get_data(as_text=True), text_of(response)
    assert "Bretagne 7 7 6 5 < 5 85,7 %" in text
    # The key figure right after the row header (on a phone it stays on screen), then the région.
    assert "35 7 Ille-et-Vilaine Bretagne 7 6 5 < 5" in text
    assert html.count("<path ") == 96
    assert "<title>Ille-et-Vilaine : 5 certifié·es</title>" in html
    assert "<title>Finistère : &lt; 5 certifié·es</title>" in html


def test_publics_show_secondary_secrecy(admin_client, france):
    text = text_of(admin_client.get("/admin/statistiques/publics"))
    assert "Médiateur·rice numérique n. d. n. d. < 5 < 5 < 5" in text
    assert "Promo Rennes 7 7 6 5 < 5" in text


def test_pages_show_no_personal_data(admin_client, france):
    for path in PAGES:
        html = admin_client.get(path).get_data(as_text=True)
        assert "Secret-" not in html and "b1@exemple.fr" not in html


def test_questions_page_weakest_first(admin_client, france):
    text = text_of(admin_client.get("/admin/statistiques/questions"))
    assert (
        text.index("Le Turc mécanique")
        < text.index("Quels nombres sont pairs")
        < text.index("Quelle est la capitale")
    )
    assert "44,4 %" in text


def test_filters_are_kept_in_links_and_exports(admin_client, france):
    html = admin_client.get("/admin/statistiques?region=Bretagne&du=2026-01-01").get_data(
        as_text=True
    )
    assert "/admin/statistiques/export/entonnoir.csv?du=2026-01-01&amp;region=Bretagne" in html
    assert "/admin/statistiques/territoires?du=2026-01-01&amp;region=Bretagne" in html
    assert "de la région Bretagne" in html


# --- bad filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, message",
    [
        ("region=Atlantide", "Région inconnue"),
        ("cohorte=999999", "Cohorte inconnue"),
        ("cohorte=abc", "Cohorte inconnue"),
        ("du=2026-13-45", "Date non reconnue"),
        ("au=hier", "Date non reconnue"),
        ("du=2026-03-01&au=2026-02-01", "La fin de la période doit suivre son début."),
    ],
)
@pytest.mark.parametrize("path", PAGES)
def test_bad_filters_get_a_french_message_and_a_400(admin_client, france, path, query, message):
    response = admin_client.get(f"{path}?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "Corrigez les filtres" in html


def test_bad_filters_on_an_export_get_a_400(admin_client, france):
    response = admin_client.get("/admin/statistiques/export/regions.csv?region=Atlantide")
    assert response.status_code == 400 and "Région inconnue" in response.get_data(as_text=True)


def test_unknown_exports_and_map_steps(admin_client, france):
    assert admin_client.get("/admin/statistiques/export/inconnu.csv").status_code == 404
    assert admin_client.get("/admin/statistiques/export/regions.pdf").status_code == 404
    response = admin_client.get("/admin/statistiques/territoires?carte=tout")
    assert response.status_code == 400 and "Indicateur de carte inconnu" in response.get_data(
        as_text=True
    )


def test_a_known_cohort_filters(admin_client, france):
    response = admin_client.get(f"/admin/statistiques?cohorte={france.paris.id}")
    assert response.status_code == 200
    assert "de la cohorte « Promo Paris »" in response.get_data(as_text=True)


# --- cost --------------------------------------------------------------------------------------


def count_queries(client, path: str) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_each_page_runs_a_fixed_number_of_queries(admin_client, france, create_user):
    # The first figures of a deployment write the catalogue the funnel's tally counts against.
    admin_client.get(PAGES[0])
    before = {path: count_queries(admin_client, path) for path in PAGES}
    codes = list(all_departements())
    for n in range(30):  # more people, more weeks, more structures
        person = create_user(structure=f"Structure {n % 7}", departement_code=codes[n * 3])
        person.created_at = WEEK_2
    db.session.commit()
    after = {path: count_queries(admin_client, path) for path in PAGES}
    assert after == before
    # The session's user, the cohorts of the form, the catalogue of the tally, the figures.
    assert max(before.values()) <= 9
