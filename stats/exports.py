"""Each table as CSV or XLSX, and the national totals as open data (JSON).

Exports carry exactly what the pages show: the same protected cells, « < 5 » and « n. d. »
included, and every text cell neutralised against formula injection.
"""

import re
from datetime import date

from flask import Response

from annuaire.models import fold
from lms.exports import csv_response, xlsx_response
from lms.formatting import date_courte
from lms.secrecy import HIDDEN, SMALL, THRESHOLD

from .forms import Filters
from .tables import STEP_HINTS, Table

LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab) — https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
SECRECY = (
    f"Secret statistique : un effectif de moins de {THRESHOLD} personnes (zéro compris) est "
    f"remplacé par « {SMALL} » ; « {HIDDEN} » (non diffusé) masque une case qui permettrait de "
    "le retrouver par différence avec un total. Les pourcentages ne sont calculés qu'entre "
    "effectifs diffusés."
)


def filename(table: Table, extension: str, filters: Filters | None = None) -> str:
    """Named after the table and its filters, so that two downloads are told apart:
    statistiques-cafe-ia-regions-bretagne-cohorte-3-du-2026-01-05-2026-12-01.csv."""
    filters = filters or Filters()
    cohort = f"cohorte-{filters.cohort}" if filters.cohort else ""
    stem = f"statistiques-cafe-ia-{table.name}"
    return filtered_filename(stem, [filters.region, cohort], filters, extension)


def filtered_filename(stem: str, words: list[str], filters, extension: str) -> str:
    """The stem, the filters' `words` (« Île-de-France » as ile-de-france), the period
    (`filters.start`, `filters.end`) and the day of the download."""
    parts = [stem, *(re.sub(r"[^a-z0-9]+", "-", fold(word)).strip("-") for word in words if word)]
    if filters.start:
        parts.append(f"du-{filters.start.isoformat()}")
    if filters.end:
        parts.append(f"au-{filters.end.isoformat()}")
    return "-".join([*parts, date.today().isoformat()]) + f".{extension}"


def as_csv(table: Table, filters: Filters | None = None) -> Response:
    rows = table.export_rows()
    return csv_response(table.key_columns, rows, filename(table, "csv", filters))


def as_xlsx(table: Table, filters_text: str, filters: Filters | None = None) -> Response:
    counted = [("Personnes comptées", filters_text)]
    return table_xlsx(table, filename(table, "xlsx", filters), counted)


def table_xlsx(table: Table, name: str, counted: list[tuple[str, str]]) -> Response:
    """A table as XLSX, numbers shown as its columns' kinds, and a « notes » sheet: the table,
    who or what is counted (`counted`, its lines), its note, the secrecy rule, the day."""
    notes = [
        ("Tableau", table.title),
        *counted,
        ("Note", table.note),
        ("Secret statistique", SECRECY),
        ("Produit le", date.today()),
    ]
    rows = ([row.get(key) for key in table.key_columns] for row in table.export_rows())
    header = [column.label for column in table.columns]
    kinds = [column.kind for column in table.columns]
    return xlsx_response(name, header, rows, sheet=table.name, notes=notes, kinds=kinds)


def describe(filters: Filters, cohort_name: str | None) -> str:
    """The filters in words, for the notes of a spreadsheet and the top of the pages."""
    parts = ["apprenant·es"]
    if filters.start:
        parts.append(f"inscrit·es à partir du {date_courte(filters.start)}")
    if filters.end:
        parts.append(f"inscrit·es jusqu'au {date_courte(filters.end)}")
    if filters.region:
        parts.append(f"de la région {filters.region}")
    if filters.cohort:
        parts.append(f"de la cohorte « {cohort_name} »")
    return ", ".join(parts) if filters.any else "toutes les personnes inscrites comme apprenant·es"


def open_data(national: dict[str, Table]) -> dict:
    """National totals and the figures of each région, protected, with their licence."""
    funnel, indicators, regions = (
        national["entonnoir"],
        national["indicateurs"],
        national["regions"],
    )
    values = {row["cle"]: row["valeur"] for row in indicators.rows}
    return {
        "titre": "Café IA — Formation des animateurs : chiffres nationaux",
        "licence": LICENCE,
        "date_production": date.today().isoformat(),
        "secret_statistique": SECRECY,
        "definitions": STEP_HINTS,
        "totaux": {row["cle"]: row["personnes"] for row in funnel.rows},
        "taux_achevement_pct": values["taux_achevement"],
        "taux_certification_pct": values["taux_certification"],
        "delai_median_certification_jours": values["delai_median_jours"],
        "capables_d_animer_4_ou_5_pct": {
            "avant_formation": values["animer_avant"],
            "apres_formation": values["animer_apres"],
        },
        "regions": [
            {key: row[key] for key in regions.key_columns} for row in regions.export_rows()
        ],
    }
