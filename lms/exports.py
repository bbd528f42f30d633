"""Exports in CSV and XLSX, safe to open in a spreadsheet, in one place for the whole platform.

Rows carry typed values (int, float, date, datetime, str, None); how they are written depends
on who reads the file:

- a CSV for people (cohorts, statistics, the import template) is read by a French spreadsheet:
  `;` between cells, a decimal comma, dates as 01/12/2026, UTF-8 with a BOM (the accents);
- a CSV for programs (open data described by a Table Schema) keeps the standard forms: `,`
  between cells, a decimal point, ISO dates, UTF-8 with a BOM (read by frictionless as by
  spreadsheets);
- an XLSX holds real numbers and dates with French-looking number formats (a count « 11 483 »,
  a share stored as a fraction and shown « 75,8 % », a date « 01/12/2026 »), headers in bold.
"""

import csv
import io
from datetime import date, datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .formatting import date_courte, date_heure, nombre_tableur

# A spreadsheet runs a cell that starts with one of these as a formula: CSV injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FrenchSpreadsheet(csv.excel):
    """The CSV a French spreadsheet opens without an import wizard (the comma is its decimal
    mark, so cells are separated by a semicolon)."""

    delimiter = ";"


OPEN_DATA = csv.excel  # RFC 4180: comma-separated, a decimal point
# XLSX number formats (Excel's codes: `,` groups and `.` marks decimals; a French spreadsheet
# shows them with its own marks, « 11 483 » and « 75,8 % »).
NUMBER_FORMATS = {
    "count": "#,##0",
    "share": "0.0 %",
    "number": "#,##0.0#",
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
}
WIDTHS = (8, 60)  # a column's width in characters, at least and at most


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sheet_cell(value):
    """Numbers and dates stay what they are in a spreadsheet (an empty cell stays empty);
    text is neutralised."""
    if value is None or isinstance(value, int | float | date):
        return value
    return safe_cell(value)


def _for_people(value) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | date):
        return safe_cell(value)
    if isinstance(value, datetime):
        return date_heure(value)
    if isinstance(value, date):
        return date_courte(value)
    return nombre_tableur(value)


def _for_programs(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)


def _attachment(filename: str) -> dict:
    return {"Content-Disposition": f"attachment; filename={filename}"}


def csv_response(
    columns: list[str], rows: list[dict], filename: str, *, open_data: bool = False
) -> Response:
    """Stable columns, neutralised cells, UTF-8 with a BOM; for a French spreadsheet unless
    `open_data` (a file described by a Table Schema, read by programs)."""
    dialect, cell = (OPEN_DATA, _for_programs) if open_data else (FrenchSpreadsheet, _for_people)
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect=dialect)
    writer.writerow(columns)
    writer.writerows([cell(row.get(column)) for column in columns] for row in rows)
    return Response(
        "\ufeff" + buffer.getvalue(), mimetype="text/csv", headers=_attachment(filename)
    )


def _kind(value) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | date):
        return "text"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    return "count" if isinstance(value, int) else "number"


def _shown_as(value, declared: str | None) -> str:
    """A number takes its column's declared kind (a share, a count); anything else its own."""
    kind = _kind(value)
    if kind in ("count", "number") and declared in ("count", "share", "number"):
        return declared
    return kind


def _write(sheet, header: list[str], rows, kinds: list[str] | None) -> None:
    sheet.append(header)
    widths = [len(str(label)) for label in header]
    for row in rows:
        values = [sheet_cell(value) for value in row]
        shown = [_shown_as(v, kinds[i] if kinds else None) for i, v in enumerate(values)]
        # A share is given in percent (75.8) and stored as the fraction a spreadsheet expects.
        sheet.append([v / 100 if k == "share" else v for v, k in zip(values, shown, strict=True)])
        for cell, kind in zip(sheet[sheet.max_row], shown, strict=True):
            if kind != "text":
                cell.number_format = NUMBER_FORMATS[kind]
        widths = [max(w, len(str(v or ""))) for w, v in zip(widths, values, strict=False)]
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(widths, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = min(max(width + 2, WIDTHS[0]), WIDTHS[1])
    sheet.freeze_panes = "A2"


def xlsx_response(
    filename: str,
    header: list[str],
    rows,
    sheet: str = "Export",
    notes: list[tuple] | None = None,
    kinds: list[str] | None = None,
) -> Response:
    """One sheet (`header`, then `rows` as lists of values, every cell through sheet_cell), and,
    if given, a « notes » sheet of (label, text) lines that say what the figures are.
    `kinds` (text | count | share | number | date, one per column) say how numbers are shown;
    without it, by their type: an int is a count, a float a number."""
    workbook = Workbook()
    data = workbook.active
    data.title = sheet[:31]  # a sheet's name holds 31 characters at most
    _write(data, header, rows, kinds)
    if notes:
        _write(workbook.create_sheet("notes"), ["Rubrique", "Contenu"], notes, None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(buffer.getvalue(), mimetype=XLSX, headers=_attachment(filename))
