"""Exports in CSV and XLSX, safe to open in a spreadsheet."""

import csv
import io

from flask import Response
from openpyxl import Workbook

# A spreadsheet runs a cell that starts with one of these as a formula: CSV injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sheet_cell(value):
    """Numbers stay numbers in a spreadsheet (and an empty cell stays empty); text is neutralised."""
    if value is None or isinstance(value, int | float):
        return value
    return safe_cell(value)


def _attachment(filename: str) -> dict:
    return {"Content-Disposition": f"attachment; filename={filename}"}


def csv_response(columns: list[str], rows: list[dict], filename: str) -> Response:
    """UTF-8 with a BOM (spreadsheets then read the accents), stable columns, neutralised cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([safe_cell(row.get(column)) for column in columns] for row in rows)
    return Response(
        "\ufeff" + buffer.getvalue(), mimetype="text/csv", headers=_attachment(filename)
    )


def xlsx_response(
    filename: str,
    header: list[str],
    rows,
    sheet: str = "Export",
    notes: list[tuple] | None = None,
) -> Response:
    """One sheet (`header`, then `rows` as lists of values, every cell through sheet_cell), and,
    if given, a « notes » sheet of (label, text) lines that say what the figures are."""
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(sheet[:31])  # a sheet's name holds 31 characters at most
    data.append(header)
    for row in rows:
        data.append([sheet_cell(value) for value in row])
    if notes:
        sheet_of_notes = workbook.create_sheet("notes")
        for line in notes:
            sheet_of_notes.append([safe_cell(cell) for cell in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(buffer.getvalue(), mimetype=XLSX, headers=_attachment(filename))
