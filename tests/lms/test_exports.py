"""lms/exports.py: CSV cells a spreadsheet would run are neutralised, the rest kept as is."""

import csv
import io

import pytest

from lms.exports import csv_response, safe_cell


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_is_neutralised(start):
    assert safe_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("value, cell", [(None, ""), (3, "3"), ("Lyon", "Lyon"), ("a=b", "a=b")])
def test_other_cells_are_kept(value, cell):
    assert safe_cell(value) == cell


def test_the_csv_is_neutralised_and_read_by_spreadsheets(app):
    response = csv_response(["nom", "n"], [{"nom": "\t=1+1", "n": 2}, {"nom": "Zoé"}], "x.csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff") and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["nom", "n"], ["'\t=1+1", "2"], ["Zoé", ""]]
