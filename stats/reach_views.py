"""The reach of the cafés and their syntheses: admins (the national team), and the open data."""

import time
from datetime import date

from flask import abort, current_app, jsonify, render_template, request, url_for

from annuaire.models import AUDIENCES
from cafes.models import ACTION_PATHS, FORMATS, FREE, THEMES
from lms.departements import all_departements
from lms.errors import render_error
from lms.exports import csv_response, xlsx_response
from lms.formatting import date_courte
from lms.models import Role
from lms.security import roles_required

from . import bp, charts, reach, reach_tables
from .exports import LICENCE, SECRECY, filtered_filename, table_xlsx
from .reach_forms import ReachFilterForm
from .reach_schema import SCHEMA
from .tables import Table

SYNTHESES_PER_PAGE = 50
SYNTHESIS_COLUMNS = [
    ("date", "Jour du café", "date"),
    ("departement", "Département (code)", "text"),
    ("departement_nom", "Département", "text"),
    ("region", "Région", "text"),
    ("public", "Public", "text"),
    ("format", "Format", "text"),
    ("participants", "Participant·es", "count"),
    ("themes", "Thèmes", "text"),
    ("suites", "Suites données", "text"),
    ("synthese", "Synthèse", "text"),
]


def _form() -> ReachFilterForm | None:
    form = ReachFilterForm(request.args)
    return form if form.validate() else None


def _errors(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


@bp.get("/admin/statistiques/cafes")
@roles_required(Role.ADMIN)
def reach_page():
    """Admins: cafés held and people reached, by month, territory, audience and format."""
    form = ReachFilterForm(request.args)
    title = "Cafés tenus et personnes touchées"
    if not form.validate():
        return render_template("stats/reach.html", page_title=title, form=form, tables=None), 400
    filters = form.filters()
    found = reach_tables.reach_tables(filters)
    values = {row["code"]: row["cafes"] for row in found["cafes_departements"].rows}
    names = {code: d.nom for code, d in all_departements().items()}
    return render_template(
        "stats/reach.html",
        page_title=title,
        form=form,
        filters=filters,
        tables=found,
        map=charts.choropleth(values, names, "cafés tenus"),
        method=reach_tables.METHOD,
        goal=reach,
        described=_describe(filters),
    )


@bp.get("/admin/statistiques/cafes/export/<name>.<fmt>")
@roles_required(Role.ADMIN)
def reach_export(name, fmt):
    """Admins: one reach table, with the page's filters, as CSV or XLSX."""
    if not name.startswith("cafes_") or fmt not in ("csv", "xlsx"):
        abort(404)
    form = ReachFilterForm(request.args)
    if not form.validate():
        return render_error(400, _errors(form))
    filters = form.filters()
    table = reach_tables.reach_tables(filters).get(name)
    if table is None:
        abort(404)
    filename = _filename(f"statistiques-cafe-ia-{name.replace('_', '-')}", filters, fmt)
    if fmt == "csv":
        return csv_response(table.key_columns, table.export_rows(), filename)
    return _xlsx(table, filename, filters)


def _xlsx(table: Table, filename: str, filters):
    counted = [("Cafés comptés", _describe(filters)), ("Méthode", reach_tables.METHOD)]
    return table_xlsx(table, filename, counted)


def _filename(stem: str, filters, extension: str) -> str:
    """statistiques-cafe-ia-cafes-mois-bretagne-du-2026-01-01-2026-12-01.csv"""
    words = [filters.region, filters.departement, filters.theme]
    return filtered_filename(stem, words, filters, extension)


def _describe(filters) -> str:
    """The filters in words, for the page and the spreadsheets' notes."""
    parts = ["cafés dont le compte rendu a été envoyé"]
    if filters.start:
        parts.append(f"tenus à partir du {date_courte(filters.start)}")
    if filters.end:
        parts.append(f"tenus jusqu'au {date_courte(filters.end)}")
    if filters.region:
        parts.append(f"en région {filters.region}")
    if filters.departement:
        parts.append(f"dans le département {all_departements()[filters.departement].nom}")
    if filters.theme:
        parts.append(f"qui ont abordé « {THEMES[filters.theme]} »")
    return ", ".join(parts)


def cohort_panel(user, cohort) -> dict:
    """COHORT_PAGE: the cafés of the cohort's certified animateurs (its formateurs' page)."""
    return reach_tables.cohort_panel(cohort.id)


# --- the syntheses ----------------------------------------------------------------------------


@bp.get("/admin/statistiques/syntheses")
@roles_required(Role.ADMIN)
def syntheses():
    """Admins: the syntheses the animateurs agreed to share, with no personal data."""
    form = ReachFilterForm(request.args)
    title = "Synthèses partagées des cafés"
    if not form.validate():
        return render_template("stats/syntheses.html", page_title=title, form=form, rows=None), 400
    filters = form.filters()
    # Any page past the last is empty; the bound keeps the offset a database integer.
    page = min(max(request.args.get("page", 1, type=int), 1), 1_000_000)
    reports, count = reach.consented(filters, SYNTHESES_PER_PAGE, (page - 1) * SYNTHESES_PER_PAGE)
    return render_template(
        "stats/syntheses.html",
        page_title=title,
        form=form,
        filters=filters,
        rows=[synthesis_row(report) for report in reports],
        count=count,
        page=page,
        pages=max((count + SYNTHESES_PER_PAGE - 1) // SYNTHESES_PER_PAGE, 1),
        described=_describe(filters),
    )


@bp.get("/admin/statistiques/syntheses.<fmt>")
@roles_required(Role.ADMIN)
def syntheses_export(fmt):
    """Admins: every consented synthesis the filters keep, as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    form = ReachFilterForm(request.args)
    if not form.validate():
        return render_error(400, _errors(form))
    filters = form.filters()
    rows = [synthesis_row(report) for report in reach.consented(filters)[0]]
    filename = _filename("syntheses-cafes-ia", filters, fmt)
    keys = [key for key, _, _ in SYNTHESIS_COLUMNS]
    if fmt == "csv":
        return csv_response(keys, rows, filename)
    notes = [
        ("Synthèses", "Celles que leurs animateur·rices ont accepté de partager avec l'équipe nationale."),
        ("Cafés comptés", _describe(filters)),
        ("Produit le", date.today()),
    ]  # fmt: skip
    return xlsx_response(
        filename,
        [label for _, label, _ in SYNTHESIS_COLUMNS],
        ([row[key] for key in keys] for row in rows),
        sheet="syntheses",
        notes=notes,
        kinds=[kind for _, _, kind in SYNTHESIS_COLUMNS],
    )


def synthesis_row(report) -> dict:
    """What the national team reads of a report: the café's facts, the coded choices and the
    synthesis; never the animateur, what they would change, nor a free theme's words."""
    place = all_departements().get(report.departement_code)
    return {
        "date": report.held_on,
        "departement": report.departement_code,
        "departement_nom": place.nom if place else "",
        "region": report.region,
        "public": AUDIENCES.get(report.audience, report.audience),
        "format": FORMATS.get(report.format, report.format),
        "participants": report.participants,
        "themes": _coded(report.themes, THEMES, "un autre thème"),
        "suites": _coded(report.action_paths, ACTION_PATHS, "une autre suite"),
        "synthese": report.synthesis.strip(),
    }


def _coded(choices, labels: dict, free: str) -> str:
    names = [labels.get(choice.code, free) if choice.code != FREE else free for choice in choices]
    return " ; ".join(dict.fromkeys(names))


# --- open data --------------------------------------------------------------------------------


@bp.get("/statistiques/cafes.json")
def reach_open_data():
    """Public: the reach of the cafés, protected, under the Licence Ouverte 2.0."""
    response = jsonify(
        {**open_reach(), "schema": url_for("stats.reach_schema"), "licence": LICENCE}
    )
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    response.headers["Cache-Control"] = "public, max-age=600"
    return response


@bp.get("/statistiques/cafes/schema.json")
def reach_schema():
    """Public: the Table Schema (frictionless) of the open data's `lignes`."""
    response = jsonify(SCHEMA)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def open_reach() -> dict:
    """Computed at most every STATS_OPEN_DATA_TTL seconds by each server process, like
    /statistiques.json, which carries the same figures."""
    ttl = current_app.config.get("STATS_OPEN_DATA_TTL", 600)
    cache = current_app.extensions.setdefault("stats_open_reach", {})
    if not ttl or cache.get("until", 0) < time.monotonic():
        tables = reach_tables.reach_tables(reach.ReachFilters())
        data = {
            "titre": "Cafés IA : cafés tenus et personnes touchées",
            "date_production": date.today().isoformat(),
            "secret_statistique": SECRECY,
            **reach_tables.open_summary(tables),
            "lignes": reach_tables.open_rows(tables),
        }
        cache.update(data=data, until=time.monotonic() + ttl)
    return cache["data"]
