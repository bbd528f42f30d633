"""The reach tables, protected and labelled: what the page shows, the exports and the open data give.

The small-cell rule (lms.secrecy) applies to the number of cafés of every row; the people a row
reached are shown only beside a number of cafés that is itself shown: below 5 cafés, the
participants written in a report or two are that animateur's, and they read « n. d. ».
"""

from datetime import date

from annuaire.models import AUDIENCES
from cafes.models import ACTION_PATHS, AGE_BANDS, BY_AGE, BY_AUDIENCE, FORMATS, FREE, THEMES
from lms.departements import all_departements
from lms.secrecy import HIDDEN, THRESHOLD, protect, share, shown

from . import reach
from .forms import regions
from .reach import ReachFilters
from .tables import Column, Table, indicators_table

COUNTS = ("cafes", "personnes")
FREE_THEMES = "Autres thèmes, libres"
FREE_PATHS = "Autres suites, libres"
METHOD = (
    "Un café tenu est un café dont le compte rendu a été envoyé ; les personnes touchées sont "
    "les participant·es qu'il déclare. Une personne venue à deux cafés compte deux fois ; un "
    "café dont le compte rendu n'a pas été envoyé (ou reste en brouillon) n'est pas compté."
)
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")  # fmt: skip


def protect_reach(rows: list[dict], total: dict | None = None) -> list[dict]:
    """Cafés by the platform's rule; people shown only where the cafés are 5 or more."""
    cells = protect(rows, ("cafes",), total)
    enough = [row["cafes"] >= THRESHOLD for row in rows]
    people = protect(
        [
            {"personnes": row["personnes"] if ok else 0}
            for row, ok in zip(rows, enough, strict=True)
        ],
        ("personnes",),
        total,
    )
    for cell, ok, person in zip(cells, enough, people, strict=True):
        cell["personnes"] = person["personnes"] if ok else HIDDEN
    return cells


def _columns(first: list[Column]) -> list[Column]:
    return [*first, Column("cafes", "Cafés tenus"), Column("personnes", "Personnes touchées")]


def _zero() -> dict[str, int]:
    return dict.fromkeys(COUNTS, 0)


def _sum(rows) -> dict[str, int]:
    rows = list(rows)
    return {count: sum(row[count] for row in rows) for count in COUNTS}


# --- the page ---------------------------------------------------------------------------------


def reach_tables(filters: ReachFilters) -> dict[str, Table]:
    """Unfiltered, three reads of the tally; filtered, three queries on the reports and the
    national total from the tally (the goal is measured on every café)."""
    found = reach.by_dimension(filters)
    raw_total = _sum(found["format"].values())
    total = protect_reach([raw_total])[0]
    national = reach.totals(ReachFilters()) if filters.any else raw_total
    places = _territories(found["departement"], total)
    return {
        "cafes_indicateurs": _indicators(raw_total, total, national),
        "cafes_mois": _months(filters, found["mois"], total),
        **places,
        "cafes_publics": _by_label("cafes_publics", "Par public du café", "Public", AUDIENCES, found["public"], total),
        "cafes_formats": _by_label("cafes_formats", "Par format du café", "Format", FORMATS, found["format"], total),
        **_choices(filters, raw_total),
        **_breakdown(filters),
    }  # fmt: skip


def _indicators(raw_total: dict, total: dict, national: dict) -> Table:
    progress = round(100 * national["personnes"] / reach.GOAL, 2)
    rows = [
        ("cafes", "Cafés tenus (comptes rendus envoyés)", total["cafes"], "cafés"),
        ("personnes", "Personnes touchées", total["personnes"], "personnes"),
        ("moyenne", "Personnes par café, en moyenne", _mean(raw_total, total), "personnes"),
        ("personnes_france", "Personnes touchées en France, depuis le premier café compté", shown(national["personnes"]), "personnes"),
        ("objectif", f"Objectif national d'ici {reach.GOAL_YEAR}", reach.GOAL, "personnes"),
        ("part_objectif", "Part de l'objectif atteinte", progress, "%"),
    ]  # fmt: skip
    return indicators_table(
        "cafes_indicateurs",
        "La portée des Cafés IA",
        rows,
        note="La part de l'objectif se mesure sur tous les cafés comptés, quels que soient les filtres.",
    )


def _mean(raw: dict, cells: dict) -> float | None:
    """Over 5 cafés or more only, like every figure."""
    return round(raw["personnes"] / raw["cafes"], 1) if raw["cafes"] >= THRESHOLD else None


def month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def _months(filters: ReachFilters, by_month: dict, total: dict) -> Table:
    keys = _month_range(filters, set(by_month))
    rows = [{"mois": key, **by_month.get(key, _zero())} for key in keys]
    cells = protect_reach(rows, total)
    return Table(
        "cafes_mois",
        "Mois par mois",
        _columns(
            [Column("mois_libelle", "Mois", "text"), Column("mois", "Mois (AAAA-MM)", "text")]
        ),
        [{**cell, "mois_libelle": month_label(cell["mois"])} for cell in cells],
        total={"mois_libelle": "Ensemble", "mois": "", **total},
        note="Le mois du café, pas celui du compte rendu.",
    )


def _month_range(filters: ReachFilters, keys: set[str]) -> list[str]:
    """Every month from the first to the last, empty months included."""
    bounds = {day.strftime("%Y-%m") for day in (filters.start, filters.end) if day}
    found = sorted(keys | bounds)
    if not found:
        return []
    year, month = map(int, found[0].split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= found[-1]:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _territories(by_code: dict, total: dict) -> dict[str, Table]:
    """Régions are the sums of their départements; each is protected against its parent."""
    deps = all_departements()
    raw = {code: by_code.get(code, _zero()) for code in deps}
    by_region = {
        region: _sum(raw[d.code] for d in deps.values() if d.region == region)
        for region in regions()
    }
    region_cells = dict(zip(by_region, protect_reach(list(by_region.values()), total), strict=True))
    dep_cells = {}
    for region, cells in region_cells.items():
        codes = [d.code for d in deps.values() if d.region == region]
        dep_cells.update(zip(codes, protect_reach([raw[c] for c in codes], cells), strict=True))
    return {
        "cafes_regions": Table(
            "cafes_regions",
            "Par région",
            _columns([Column("region", "Région", "text")]),
            [{"region": region, **cells} for region, cells in region_cells.items()],
            total={"region": "Ensemble", **total},
        ),
        "cafes_departements": Table(
            "cafes_departements",
            "Par département",
            _columns(
                [
                    Column("code", "Code", "text"),
                    Column("departement", "Département", "text"),
                    Column("region", "Région", "text"),
                ]
            ),
            [
                {"code": c, "departement": deps[c].nom, "region": deps[c].region, **cells}
                for c, cells in sorted(dep_cells.items())
            ],
            total={"code": "Ensemble", "departement": "", "region": "", **total},
        ),
    }


def _by_label(name: str, title: str, header: str, labels: dict, found: dict, total) -> Table:
    """Every category, even one no café has had yet; an unknown code keeps its own name."""
    keys = [*labels, *sorted(set(found) - set(labels))]
    rows = [{"cle": key, **found.get(key, _zero())} for key in keys]
    cells = protect_reach(rows, total)
    return Table(
        name,
        title,
        _columns([Column("libelle", header, "text"), Column("cle", "Code", "text")]),
        [{**cell, "libelle": labels.get(cell["cle"], cell["cle"])} for cell in cells],
        total={"libelle": "Ensemble", "cle": "", **total},
    )


def _choices(filters: ReachFilters, raw_total: dict) -> dict[str, Table]:
    found = reach.choices(filters)
    cafes = shown(raw_total["cafes"])
    note = "Un café peut en nommer plusieurs : les lignes ne s'additionnent pas."
    return {
        "cafes_themes": _ranked(
            "cafes_themes", "Les thèmes les plus fréquents", "Thème",
            {**THEMES, FREE: FREE_THEMES}, found["themes"], cafes, note,
        ),
        "cafes_suites": _ranked(
            "cafes_suites", "Les suites les plus choisies", "Suite donnée",
            {**ACTION_PATHS, FREE: FREE_PATHS}, found["suites"], cafes, note,
        ),
    }  # fmt: skip


def _ranked(name, title, header, labels: dict, counts: dict, cafes, note: str) -> Table:
    """The most frequent first; ties in the list's order."""
    order = list(labels)
    keys = sorted(labels, key=lambda key: (-counts.get(key, 0), order.index(key)))
    rows = []
    for key in keys:
        count = shown(counts.get(key, 0))
        rows.append(
            {"cle": key, "libelle": labels[key], "cafes": count, "part": share(count, cafes)}
        )
    return Table(
        name,
        title,
        [
            Column("libelle", header, "text"),
            Column("cafes", "Cafés qui l'ont nommé"),
            Column("part", "Part des cafés tenus (%)", "share"),
            Column("cle", "Code", "text"),
        ],
        rows,
        note=note,
    )


def _breakdown(filters: ReachFilters) -> dict[str, Table]:
    """A category given by fewer than 5 cafés is not shown: the few reports it comes from."""
    found = reach.breakdown(filters)
    dims = ((BY_AGE, "cafes_ages", "tranche d'âge", AGE_BANDS), (BY_AUDIENCE, "cafes_participants", "public", AUDIENCES))  # fmt: skip
    tables = {}
    for dimension, name, header, labels in dims:
        given = found.get(dimension, {})
        rows = [{"cle": key, **given.get(key, _zero())} for key in labels]
        tables[name] = Table(
            name,
            f"Participant·es par {header}, quand le compte rendu le précise",
            [
                Column("libelle", header.capitalize(), "text"),
                Column("personnes", "Participant·es"),
                Column("cafes", "Cafés qui le précisent"),
                Column("cle", "Code", "text"),
            ],
            [{**cell, "libelle": labels[cell["cle"]]} for cell in protect_reach(rows)],
            note="Répartition facultative : elle ne couvre pas toutes les personnes touchées.",
        )
    return tables


# --- from the training to the cafés -----------------------------------------------------------


def impact_table(filters, today: date | None = None) -> Table:
    """The overview's indicator: certified animateurs who held a café within 3 months."""
    found = reach.impact(filters, today or date.today())
    cells = protect([found], ("certifies", "actifs"))[0]
    rows = [
        ("certifies_3_mois", "Animateur·rices certifié·es depuis au moins 3 mois", cells["certifies"], "personnes"),
        ("actifs_3_mois", "… qui ont tenu au moins un café dans les 3 mois suivant leur certification", cells["actifs"], "personnes"),
        ("part_actifs_3_mois", "Part des certifié·es qui ont tenu un café dans les 3 mois", share(cells["actifs"], cells["certifies"]), "%"),
    ]  # fmt: skip
    return indicators_table(
        "impact",
        "De la formation aux cafés",
        rows,
        note="Dénominateur : les personnes comptées ici qui ont le statut d'animateur·rice, "
        "non révoqué, obtenu il y a au moins 3 mois (les plus récentes n'ont pas encore eu leurs "
        "3 mois). Un café compte s'il a eu lieu entre le jour de la certification et 3 mois "
        "après, et si son compte rendu a été envoyé.",
    )


def cohort_panel(cohort_id: int) -> dict:
    """The cohort page's figures: below 5 animateurs who held a café, none is shown."""
    found = reach.cohort_reach(cohort_id)
    enough = found["animateurs"] >= THRESHOLD
    return {
        "certifies": found["certifies"],
        "animateurs": shown(found["animateurs"]),
        "cafes": found["cafes"] if enough else HIDDEN,
        "personnes": found["personnes"] if enough else HIDDEN,
        "threshold": THRESHOLD,
    }


# --- open data --------------------------------------------------------------------------------


def open_rows(tables: dict[str, Table]) -> list[dict]:
    """One row per group, each dimension in turn: what the Table Schema (reach_schema) says."""
    rows = []
    for row in tables["cafes_mois"].rows:
        rows.append(
            {"dimension": "mois", "cle": row["mois"], "libelle": row["mois_libelle"]} | _counts(row)
        )
    for row in tables["cafes_regions"].rows:
        rows.append(
            {"dimension": "region", "cle": row["region"], "libelle": row["region"]} | _counts(row)
        )
    for row in tables["cafes_departements"].rows:
        rows.append(
            {"dimension": "departement", "cle": row["code"], "libelle": row["departement"]}
            | _counts(row)
        )
    for dimension, name in (("public", "cafes_publics"), ("format", "cafes_formats")):
        for row in tables[name].rows:
            rows.append(
                {"dimension": dimension, "cle": row["cle"], "libelle": row["libelle"]}
                | _counts(row)
            )
    return rows  # fmt: skip


def _counts(row: dict) -> dict:
    return {"cafes": row["cafes"], "personnes": row["personnes"]}


def open_summary(tables: dict[str, Table]) -> dict:
    """The national reach, for /statistiques.json and the open data file."""
    values = {row["cle"]: row["valeur"] for row in tables["cafes_indicateurs"].rows}
    return {
        "methode": METHOD,
        "cafes_tenus": values["cafes"],
        "personnes_touchees": values["personnes"],
        "objectif": {
            "personnes": reach.GOAL,
            "annee": reach.GOAL_YEAR,
            "source": reach.GOAL_SOURCE,
            "part_atteinte_pct": values["part_objectif"],
        },
        "themes": {row["cle"]: row["cafes"] for row in tables["cafes_themes"].rows},
        "suites": {row["cle"]: row["cafes"] for row in tables["cafes_suites"].rows},
    }
