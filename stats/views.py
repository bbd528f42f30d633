"""National statistics pages: admins only, except the open-data totals."""

import time
from functools import partial

from flask import abort, current_app, jsonify, render_template, request

from lms.departements import all_departements
from lms.errors import render_error
from lms.models import Role
from lms.secrecy import HIDDEN, SMALL, THRESHOLD
from lms.security import roles_required

from . import bp, charts, exports, reach_tables, tables
from .forms import FilterForm, Filters
from .reach import ReachFilters

# endpoint, label: the pages, in the order of their sub-menu.
PAGES = [
    ("stats.overview", "Vue d'ensemble"),
    ("stats.territories", "Territoires"),
    ("stats.publics", "Profils, structures, cohortes"),
    ("stats.readiness", "Positionnement"),
    ("stats.questions", "Questions des quiz"),
    ("stats.reach_page", "Cafés tenus"),
    ("stats.syntheses", "Synthèses des cafés"),
]
# The cafés' pages: filtered by the café's day and place, not by sign-up (reach_views).
REACH_PAGES = ("stats.reach_page", "stats.syntheses")
# A table's name -> the builder that gives it (one builder may give several tables).
EXPORTS = {
    **dict.fromkeys(("entonnoir", "indicateurs", "animer", "semaines"), tables.overview),
    **dict.fromkeys(("regions", "departements"), tables.territories),
    # Every cohort, every structure of 5 or more: the page shows the largest.
    **dict.fromkeys(
        ("profils", "structures", "cohortes"),
        partial(tables.publics, structures=None, cohorts=None),
    ),
    "positionnement": tables.readiness_table,
    "impact": lambda filters: {"impact": reach_tables.impact_table(filters)},
    **dict.fromkeys(("quiz", "questions"), tables.questions),
}
# The map can show any step of the funnel.
MAP_STEPS = {step: label.lower() for step, label in tables.STEP_LABELS.items()}


@bp.context_processor
def helpers():
    return {
        "number": charts.number,
        "stats_pages": PAGES,
        "reach_pages": REACH_PAGES,
        "small": SMALL,
        "hidden": HIDDEN,
        "threshold": THRESHOLD,
    }


def _page(template: str, title: str, build, **extra):
    """Validate the filters, then build the tables; bad filters: their message and a 400."""
    form = FilterForm(request.args)
    if not form.validate():
        return render_template(template, page_title=title, form=form, tables=None, **extra), 400
    filters = form.filters()
    return render_template(
        template,
        page_title=title,
        form=form,
        filters=filters,
        described=exports.describe(filters, _cohort_name(form)),
        tables=build(filters),
        **extra,
    )


def _cohort_name(form: FilterForm) -> str | None:
    return next((c.label for c in form.cohorte.choices if c.value == form.cohorte.data), None)


@bp.get("/admin/statistiques")
@roles_required(Role.ADMIN)
def overview():
    """Admins: the funnel, key indicators, readiness « animer », weekly series."""
    return _page("stats/overview.html", "Statistiques nationales", _with_charts)


def _with_charts(filters: Filters) -> dict:
    found = tables.overview(filters)
    funnel = [(row["etape"], [row["personnes"]]) for row in found["entonnoir"].rows]
    key = [(row["moment"], [row["part"]]) for row in found["animer"].rows]
    weeks = found["semaines"].rows
    return {
        **found,
        "impact": reach_tables.impact_table(filters),
        "charts": {
            "entonnoir": charts.horizontal(funnel, [("Personnes", charts.BLUE)]),
            "animer": charts.horizontal(key, [("4 ou 5", charts.BLUE)], kind="share"),
            "inscrits": charts.columns([(w["semaine"], w["inscrits"]) for w in weeks]),
            "certifies": charts.columns(
                [(w["semaine"], w["certifies"]) for w in weeks], charts.LIGHT_BLUE
            ),
        },
    }


@bp.get("/admin/statistiques/territoires")
@roles_required(Role.ADMIN)
def territories():
    """Admins: by région and département, a map and its tables."""
    step = request.args.get("carte", "inscrits")
    if step not in MAP_STEPS:
        return render_error(400, "Indicateur de carte inconnu : choisissez-en un sous la carte.")
    return _page(
        "stats/territories.html",
        "Statistiques par territoire",
        partial(_with_map, step=step),
        map_steps=MAP_STEPS,
        map_step=step,
    )


def _with_map(filters: Filters, step: str) -> dict:
    found = tables.territories(filters)
    values = {row["code"]: row[step] for row in found["departements"].rows}
    names = {code: d.nom for code, d in all_departements().items()}
    return {**found, "map": charts.choropleth(values, names, MAP_STEPS[step])}


@bp.get("/admin/statistiques/publics")
@roles_required(Role.ADMIN)
def publics():
    """Admins: by profile, by structure and by cohort."""
    return _page(
        "stats/publics.html", "Statistiques par profil, structure et cohorte", tables.publics
    )


@bp.get("/admin/statistiques/positionnement")
@roles_required(Role.ADMIN)
def readiness():
    """Admins: every readiness statement, before and after the training."""
    return _page(
        "stats/readiness.html", "Positionnement avant et après la formation", _with_readiness_chart
    )


def _with_readiness_chart(filters: Filters) -> dict:
    found = tables.readiness_table(filters)
    groups = [
        (row["affirmation"], [row["avant_part"], row["apres_part"]])
        for row in found["positionnement"].rows
    ]
    series = [("Avant la formation", charts.LIGHT_BLUE), ("Après la formation", charts.BLUE)]
    return {**found, "charts": {"positionnement": charts.horizontal(groups, series, "share")}}


@bp.get("/admin/statistiques/questions")
@roles_required(Role.ADMIN)
def questions():
    """Admins: each quiz question, the least well answered first."""
    return _page("stats/questions.html", "Analyse des questions des quiz", tables.questions)


@bp.get("/admin/statistiques/export/<name>.<fmt>")
@roles_required(Role.ADMIN)
def export(name, fmt):
    """Admins: one table, with the page's filters, as CSV or XLSX."""
    if name not in EXPORTS or fmt not in ("csv", "xlsx"):
        abort(404)
    form = FilterForm(request.args)
    if not form.validate():
        messages = [error for errors in form.errors.values() for error in errors]
        return render_error(400, " ".join(messages))
    filters = form.filters()
    table = EXPORTS[name](filters)[name]
    if fmt == "csv":
        return exports.as_csv(table, filters)
    return exports.as_xlsx(table, exports.describe(filters, _cohort_name(form)), filters)


@bp.get("/statistiques.json")
def open_data():
    """Public: national totals and régions, protected, under the Licence Ouverte 2.0."""
    response = jsonify(_open_data())
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    response.headers["Cache-Control"] = "public, max-age=600"
    return response


def _open_data() -> dict:
    """Computed at most every STATS_OPEN_DATA_TTL seconds (600) by each server process: the
    address is public and its figures move slowly, so visitors never drive the database."""
    ttl = current_app.config.get("STATS_OPEN_DATA_TTL", 600)
    cache = current_app.extensions.setdefault("stats_open_data", {})
    if not ttl or cache.get("until", 0) < time.monotonic():
        data = {**exports.open_data(tables.national()), "cafes_ia": _reach_summary()}
        cache.update(data=data, until=time.monotonic() + ttl)
    return cache["data"]


def _reach_summary() -> dict:
    """The cafés' national reach, the figures of /statistiques/cafes.json."""
    found = reach_tables.reach_tables(ReachFilters())
    regions = [{k: row[k] for k in ("region", "cafes", "personnes")} for row in found["cafes_regions"].export_rows()]  # fmt: skip
    return {**reach_tables.open_summary(found), "regions": regions}
