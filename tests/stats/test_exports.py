"""Exports: CSV and XLSX of each table, the same protected cells; the open-data JSON."""

import csv
import io

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from stats.forms import Filters
from stats.views import EXPORTS
from tests.helpers import french_decimal, read_people_csv

FUNNEL_COLUMNS = ["inscrits", "commence", "termine", "certifies", "annuaire", "taux_achevement"]


def read_csv(response) -> list[dict]:
    return read_people_csv(response)


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.data))


def test_csv_of_regions_has_stable_columns_and_protected_cells(admin_client, france):
    response = admin_client.get("/admin/statistiques/export/regions.csv")
    assert response.mimetype == "text/csv"
    assert (
        "attachment; filename=statistiques-cafe-ia-regions-"
        in response.headers["Content-Disposition"]
    )
    rows = read_csv(response)
    assert list(rows[0]) == ["region", *FUNNEL_COLUMNS]
    by_region = {row["region"]: row for row in rows}
    assert by_region["Bretagne"] == {
        "region": "Bretagne", "inscrits": "7", "commence": "7", "termine": "6",
        "certifies": "5", "annuaire": "< 5", "taux_achevement": "85,7",
    }  # fmt: skip
    assert french_decimal(by_region["Bretagne"]["taux_achevement"]) == 85.7
    assert by_region["Corse"]["inscrits"] == "< 5"
    assert rows[-1]["region"] == "Ensemble" and rows[-1]["inscrits"] == "14"
    assert len(rows) == 19  # 18 régions and France


def test_csv_neutralises_formulas_and_keeps_secondary_secrecy(admin_client, france):
    rows = read_csv(admin_client.get("/admin/statistiques/export/structures.csv"))
    paris = rows[1]
    assert paris["structure"] == "'=Tiers-lieu Paris"
    assert (paris["inscrits"], paris["commence"]) == ("n. d.", "n. d.")


def test_csv_follows_the_filters(admin_client, france):
    rows = read_csv(admin_client.get("/admin/statistiques/export/entonnoir.csv?region=Bretagne"))
    assert [row["personnes"] for row in rows] == ["7", "7", "6", "5", "< 5"]
    assert list(rows[0]) == ["etape", "definition", "personnes", "part_inscrits", "part_etape_precedente"]  # fmt: skip


def test_xlsx_is_readable_with_numbers_as_numbers(admin_client, france):
    response = admin_client.get("/admin/statistiques/export/departements.xlsx?region=Bretagne")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = read_xlsx(response)
    assert workbook.sheetnames == ["departements", "notes"]
    rows = list(workbook["departements"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Code", "Département", "Région", "Inscrit·es")
    ille = next(row for row in rows if row[0] == "35")
    assert ille[3:] == (7, 7, 6, 5, "< 5", 0.857)
    finistere = next(row for row in rows if row[0] == "29")
    assert finistere[3] == "< 5" and finistere[8] is None
    notes = dict(workbook["notes"].iter_rows(values_only=True))
    assert notes["Personnes comptées"] == "apprenant·es, de la région Bretagne"
    assert "moins de 5 personnes" in notes["Secret statistique"]


def test_xlsx_neutralises_formulas(admin_client, france):
    workbook = read_xlsx(admin_client.get("/admin/statistiques/export/structures.xlsx"))
    names = [row[0] for row in workbook["structures"].iter_rows(values_only=True)]
    assert "'=Tiers-lieu Paris" in names and "=Tiers-lieu Paris" not in names


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_table_exports_in_both_formats(admin_client, france, name):
    rows = read_csv(admin_client.get(f"/admin/statistiques/export/{name}.csv"))
    assert rows
    sheet = read_xlsx(admin_client.get(f"/admin/statistiques/export/{name}.xlsx"))[name]
    assert len(list(sheet.iter_rows())) == len(rows) + 1


def test_every_export_hides_small_cells(admin_client, france):
    for name in EXPORTS:
        text = admin_client.get(f"/admin/statistiques/export/{name}.csv").get_data(as_text=True)
        for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"):
            for column, value in row.items():
                if column in FUNNEL_COLUMNS[:5] or column in ("personnes", "repondants", "prets"):
                    assert value in ("< 5", "n. d.") or int(value) >= 5, (name, column, value)


def test_open_data_json_totals_with_licence_and_secrecy(client, france):
    response = client.get("/statistiques.json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.json
    assert "Licence Ouverte" in data["licence"] and "< 5" in data["secret_statistique"]
    assert data["totaux"] == {"inscrits": 14, "commence": 12, "termine": 8, "certifies": 6, "annuaire": "< 5"}  # fmt: skip
    assert data["taux_achevement_pct"] == 57.1 and data["delai_median_certification_jours"] == 15.0
    assert data["capables_d_animer_4_ou_5_pct"] == {
        "avant_formation": 41.7,
        "apres_formation": 87.5,
    }
    regions = {row["region"]: row for row in data["regions"]}
    assert regions["Bretagne"]["certifies"] == 5 and regions["Occitanie"]["inscrits"] == "< 5"
    assert regions["Ensemble"]["inscrits"] == 14


def test_open_data_names_nobody(client, france):
    text = client.get("/statistiques.json").get_data(as_text=True)
    assert "Secret-" not in text and "@" not in text and "Rennes" not in text


def test_open_data_is_computed_at_most_every_ten_minutes(client, france, create_user):
    first = client.get("/statistiques.json").json["totaux"]["inscrits"]
    create_user()
    assert client.get("/statistiques.json").json["totaux"]["inscrits"] == first
    client.application.config["STATS_OPEN_DATA_TTL"] = 0
    assert client.get("/statistiques.json").json["totaux"]["inscrits"] == first + 1


def test_the_file_is_named_after_its_filters(admin_client, france):
    from datetime import date

    today = date.today().isoformat()
    response = admin_client.get(
        "/admin/statistiques/export/regions.csv?region=Île-de-France&du=2026-01-01"
    )
    expected = f"statistiques-cafe-ia-regions-ile-de-france-du-2026-01-01-{today}.csv"
    assert response.headers["Content-Disposition"] == f"attachment; filename={expected}"
    response = admin_client.get("/admin/statistiques/export/regions.xlsx?region=Bretagne")
    assert f"regions-bretagne-{today}.xlsx" in response.headers["Content-Disposition"]


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_xlsx_holds_numbers_in_french_formats(admin_client, france, name):
    """A count is a number shown « 11 483 », a share a fraction shown « 85,7 % », headers bold;
    the CSV of the same table gives the same figures with a decimal comma."""
    workbook = read_xlsx(admin_client.get(f"/admin/statistiques/export/{name}.xlsx"))
    sheet = workbook[name]
    columns = {column.label: column for column in EXPORTS[name](Filters())[name].columns}
    header = [cell.value for cell in sheet[1]]
    assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
    expected = {"count": "#,##0", "share": "0.0 %", "number": "#,##0.0#"}
    numbers = 0
    for row in sheet.iter_rows(min_row=2):
        for label, cell in zip(header, row, strict=True):
            kind = columns[label].kind
            if isinstance(cell.value, int | float):
                assert cell.data_type == "n" and cell.number_format == expected[kind], label
                assert kind != "share" or 0 <= cell.value <= 1, (label, cell.value)
                numbers += 1
            else:  # text, a protected cell (« < 5 », « n. d. ») or nothing
                assert kind == "text" or cell.value in (None, "< 5", "n. d."), (label, cell.value)
    assert numbers
    for index in range(1, len(header) + 1):
        assert 8 <= sheet.column_dimensions[get_column_letter(index)].width <= 60
