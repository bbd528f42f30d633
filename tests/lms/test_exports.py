"""lms/exports.py: cells a spreadsheet would run are neutralised; a CSV for people is the one a
French spreadsheet reads, a CSV of open data keeps the standard forms; an XLSX holds numbers
and dates with French-looking formats."""

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from lms.exports import csv_response, safe_cell, xlsx_response
from tests.helpers import french_decimal, read_people_csv

ROWS = [
    {"nom": "\t=1+1", "n": 11483, "part": 75.8, "jour": date(2026, 12, 1)},
    {"nom": "Zoé", "n": None, "part": "< 5", "jour": datetime(2026, 1, 5, 14, 30)},
]
COLUMNS = ["nom", "n", "part", "jour"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_is_neutralised(start):
    assert safe_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("value, cell", [(None, ""), (3, "3"), ("Lyon", "Lyon"), ("a=b", "a=b")])
def test_other_cells_are_kept(value, cell):
    assert safe_cell(value) == cell


def test_a_csv_for_people_is_read_by_a_french_spreadsheet(app):
    response = csv_response(COLUMNS, ROWS, "x.csv")
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).count("\r\n") == 3
    first, second = read_people_csv(response)
    assert first == {"nom": "'\t=1+1", "n": "11483", "part": "75,8", "jour": "01/12/2026"}
    assert french_decimal(first["part"]) == 75.8 and int(first["n"]) == 11483
    assert second == {"nom": "Zoé", "n": "", "part": "< 5", "jour": "05/01/2026 14:30"}


def test_a_csv_of_open_data_keeps_the_standard_forms(app):
    text = csv_response(COLUMNS, ROWS, "x.csv", open_data=True).get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), dialect="excel"))
    assert rows[0] == {"nom": "'\t=1+1", "n": "11483", "part": "75.8", "jour": "2026-12-01"}
    assert float(rows[0]["part"]) == 75.8


def test_the_sniffer_tells_a_french_csv_from_a_regression(app):
    """The check of read_people_csv fails on a comma-separated file: it can fail."""
    with pytest.raises(AssertionError):
        read_people_csv(csv_response(COLUMNS, ROWS, "x.csv", open_data=True))


def test_an_xlsx_holds_numbers_and_dates_in_french_formats(app):
    response = xlsx_response(
        "x.xlsx",
        ["Nom", "Personnes", "Part (%)", "Jour"],
        [[row[c] for c in COLUMNS] for row in ROWS],
        kinds=["text", "count", "share", "date"],
        notes=[("Produit le", date(2026, 12, 1))],
    )
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["Export"]
    assert all(cell.font.bold for cell in sheet[1])
    name, count, share, day = sheet[2]
    assert name.value == "'\t=1+1" and name.data_type == "s"
    assert (count.value, count.data_type, count.number_format) == (11483, "n", "#,##0")
    assert share.data_type == "n" and share.value == pytest.approx(0.758)
    assert share.number_format == "0.0 %"
    assert day.is_date and day.value.date() == date(2026, 12, 1)
    assert day.number_format == "dd/mm/yyyy"
    assert sheet["C3"].value == "< 5" and sheet["C3"].data_type == "s"
    assert sheet["B3"].value is None
    assert 8 <= sheet.column_dimensions["A"].width <= 60
    assert sheet.column_dimensions["B"].width >= len("Personnes")
    assert workbook["notes"]["B2"].is_date
