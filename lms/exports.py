"""Exports in CSV, safe to open in a spreadsheet."""

import csv
import io

from flask import Response

# A spreadsheet runs a cell that starts with one of these as a formula: CSV injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(columns: list[str], rows: list[dict], filename: str) -> Response:
    """UTF-8 with a BOM (spreadsheets then read the accents), stable columns, neutralised cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([safe_cell(row.get(column)) for column in columns] for row in rows)
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
