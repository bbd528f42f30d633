"""The tables of the statistics pages, protected and labelled: what pages show and exports give.

Each builder runs a fixed number of queries (services) and shapes a few hundred aggregates at
most; every count goes through lms.secrecy.protect before anyone sees it.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from certificates.readiness import FINAL, INITIAL, readiness
from courses.progress import catalogue
from lms.departements import all_departements
from lms.models import PROFILES
from lms.secrecy import SMALL, is_shown, protect, share, shown

from . import services
from .forms import Filters, regions
from .services import STEPS

STEP_LABELS = {
    "inscrits": "Inscrit·es",
    "commence": "Ont commencé",
    "termine": "Ont terminé",
    "certifies": "Certifié·es",
    "annuaire": "Dans l'annuaire",
}
STEP_HINTS = {
    "inscrits": "comptes d'apprenant·e créés",
    "commence": "ont ouvert au moins un module",
    "termine": "ont terminé tous les modules, quiz réussis",
    "certifies": "ont le statut d'animateur·rice, non révoqué",
    "annuaire": "certifié·es dont la fiche est visible dans l'annuaire",
}
PHASES = {INITIAL: "Avant la formation", FINAL: "Après la formation"}
STRUCTURES_ON_PAGE = 20
COHORTS_ON_PAGE = 20  # the largest: a national page of every cohort would run to thousands


@dataclass
class Column:
    key: str  # the CSV header: stable, ASCII
    label: str  # the page's and the spreadsheet's header
    kind: str = "count"  # text | count | share | number


@dataclass
class Table:
    name: str  # in the export's URL and file name
    title: str
    columns: list[Column]
    rows: list[dict]
    total: dict | None = None  # shown under the rows, and exported as their last row
    note: str = ""

    @property
    def key_columns(self) -> list[str]:
        return [c.key for c in self.columns]

    def export_rows(self) -> list[dict]:
        return [*self.rows, *([self.total] if self.total else [])]


def _funnel_columns(first: list[Column]) -> list[Column]:
    return [
        *first,
        *(Column(step, STEP_LABELS[step]) for step in STEPS),
        Column("taux_achevement", "Taux d'achèvement (%)", "share"),
    ]


def _with_rate(row: dict) -> dict:
    return {**row, "taux_achevement": share(row["termine"], row["inscrits"])}


def _sum(rows: list[dict]) -> dict[str, int]:
    """Add up aggregates already counted by the database (never more than a few hundred)."""
    return {step: sum(row[step] for row in rows) for step in STEPS}


# --- overview ----------------------------------------------------------------------------------


def overview(filters: Filters) -> dict[str, Table]:
    """Four queries: the funnel by week of sign-up (hence in all), certifications by week,
    the median delay, readiness « animer »."""
    by_week = services.funnel_by_week(filters)
    totals = protect([_sum(list(by_week.values()))], STEPS)[0]
    return {**_headline(filters, totals), "semaines": _weeks(filters, by_week, totals)}


def national() -> dict[str, Table]:
    """The open data, three queries: France by département (hence by région), the median
    delay, readiness « animer »."""
    places = territories(Filters())
    return {**_headline(Filters(), places["regions"].total), "regions": places["regions"]}


def _headline(filters: Filters, totals: dict) -> dict[str, Table]:
    median, certified = services.median_days_to_certificate(filters)
    key = _key_readiness(filters)
    return {
        "entonnoir": _funnel_table(totals),
        "indicateurs": _indicators(totals, median if is_shown(shown(certified)) else None, key),
        "animer": key,
    }


def _funnel_table(totals: dict) -> Table:
    rows, previous = [], None
    for step in STEPS:
        rows.append(
            {
                "cle": step,
                "etape": STEP_LABELS[step],
                "definition": STEP_HINTS[step],
                "personnes": totals[step],
                "part_inscrits": share(totals[step], totals["inscrits"]),
                "part_etape_precedente": share(totals[step], previous),
            }
        )
        previous = totals[step]
    return Table(
        "entonnoir",
        "Le parcours, étape par étape",
        [
            Column("etape", "Étape", "text"),
            Column("definition", "Qui est compté", "text"),
            Column("personnes", "Personnes"),
            Column("part_inscrits", "Part des inscrit·es (%)", "share"),
            Column("part_etape_precedente", "Part de l'étape précédente (%)", "share"),
        ],
        rows,
    )


def _indicators(totals: dict, median: float | None, key: Table) -> Table:
    before, after = (row["part"] for row in key.rows)
    rows = [
        ("taux_achevement", "Taux d'achèvement : part des inscrit·es qui ont tout terminé", share(totals["termine"], totals["inscrits"]), "%"),
        ("taux_certification", "Taux de certification : part des inscrit·es certifié·es", share(totals["certifies"], totals["inscrits"]), "%"),
        ("delai_median_jours", "Délai médian entre l'inscription et la certification", round(median, 1) if median is not None else None, "jours"),
        ("animer_avant", "« Capable d'animer un Café IA » (4 ou 5 sur 5) avant la formation", before, "%"),
        ("animer_apres", "« Capable d'animer un Café IA » (4 ou 5 sur 5) après la formation", after, "%"),
    ]  # fmt: skip
    return indicators_table(
        "indicateurs",
        "Indicateurs clés",
        rows,
        note="Une valeur calculée sur moins de 5 personnes n'est pas diffusée (—).",
    )


def indicators_table(name: str, title: str, rows: list[tuple], note: str) -> Table:
    """One indicator a row, each given as (key, label, value, unit)."""
    return Table(
        name,
        title,
        [
            Column("indicateur", "Indicateur", "text"),
            Column("valeur", "Valeur", "number"),
            Column("unite", "Unité", "text"),
        ],
        [
            {"cle": key, "indicateur": label, "valeur": value, "unite": unit}
            for key, label, value, unit in rows
        ],
        note=note,
    )


def _key_readiness(filters: Filters) -> Table:
    key = readiness().key_statement
    found = {row["phase"]: row for row in services.readiness(filters, key)}
    rows = [_readiness_cells(found.get(phase), PHASES[phase]) for phase in PHASES]
    return Table(
        "animer",
        f"« {readiness().statements[key]} » avant et après la formation",
        [
            Column("moment", "Moment", "text"),
            Column("repondants", "Personnes ayant répondu"),
            Column("prets", "Ont répondu 4 ou 5"),
            Column("part", "Part ayant répondu 4 ou 5 (%)", "share"),
            Column("moyenne", "Moyenne sur 5", "number"),
        ],
        rows,
        note="La dernière réponse de chaque personne compte.",
    )


def _readiness_cells(row: dict | None, moment: str) -> dict:
    row = row or {"repondants": 0, "prets": 0, "moyenne": None}
    cells = protect([row], ("repondants", "prets"))[0]
    mean = row["moyenne"]
    return {
        "moment": moment,
        "repondants": cells["repondants"],
        "prets": cells["prets"],
        "part": share(cells["prets"], cells["repondants"]),
        "moyenne": round(float(mean), 2) if is_shown(cells["repondants"]) and mean else None,
    }


def _weeks(filters: Filters, by_week: dict, totals: dict) -> Table:
    enrolled = {week: row["inscrits"] for week, row in by_week.items()}
    certified = services.certifications_by_week(filters)
    weeks = _week_range(filters, {*enrolled, *certified})
    rows = [
        {"semaine": week, "inscrits": enrolled.get(week, 0), "certifies": certified.get(week, 0)}
        for week in weeks
    ]
    return Table(
        "semaines",
        "Inscriptions et certifications, semaine par semaine",
        [
            Column("semaine", "Semaine du (lundi)", "text"),
            Column("inscrits", "Inscriptions"),
            Column("certifies", "Certifications"),
        ],
        protect(rows, ("inscrits", "certifies"), totals),
        note="Certifications : statuts accordés cette semaine-là et toujours valides.",
    )


def _week_range(filters: Filters, weeks: set[str]) -> list[str]:
    """Every Monday from the first week to the last, empty weeks included."""
    days = [date.fromisoformat(week) for week in weeks]
    for bound in (filters.start, filters.end):
        if bound:
            days.append(bound - timedelta(days=bound.weekday()))
    if not days:
        return []
    monday, last = min(days), max(days)
    result = []
    while monday <= last:
        result.append(monday.isoformat())
        monday += timedelta(weeks=1)
    return result


# --- territories -------------------------------------------------------------------------------


def territories(filters: Filters) -> dict[str, Table]:
    """One query: the funnel by département; régions and France are their sums."""
    by_code = services.funnel_by_departement(filters)
    zero = dict.fromkeys(STEPS, 0)
    deps = all_departements()
    raw = {code: by_code.get(code, zero) for code in deps}
    total = protect([_sum(list(raw.values()))], STEPS)[0]
    region_rows = {
        region: _sum([raw[d.code] for d in deps.values() if d.region == region])
        for region in regions()
    }
    region_cells = dict(
        zip(region_rows, protect(list(region_rows.values()), STEPS, total), strict=True)
    )
    dep_cells = {}
    for region, cells in region_cells.items():
        codes = [d.code for d in deps.values() if d.region == region]
        dep_cells.update(zip(codes, protect([raw[c] for c in codes], STEPS, cells), strict=True))
    return {
        "regions": _region_table(region_cells, total),
        "departements": _departement_table(dep_cells, total),
    }


def _region_table(cells: dict[str, dict], total: dict) -> Table:
    return Table(
        "regions",
        "Par région",
        _funnel_columns([Column("region", "Région", "text")]),
        [_with_rate({"region": region, **row}) for region, row in cells.items()],
        total=_with_rate({"region": "Ensemble", **total}),
    )


def _departement_table(cells: dict[str, dict], total: dict) -> Table:
    deps = all_departements()
    return Table(
        "departements",
        "Par département",
        _funnel_columns(
            [
                Column("code", "Code", "text"),
                Column("departement", "Département", "text"),
                Column("region", "Région", "text"),
            ]
        ),
        [
            _with_rate(
                {"code": code, "departement": deps[code].nom, "region": deps[code].region, **row}
            )
            for code, row in sorted(cells.items())
        ],
        total=_with_rate({"code": "Ensemble", "departement": "", "region": "", **total}),
    )


# --- publics -----------------------------------------------------------------------------------


def publics(
    filters: Filters,
    structures: int | None = STRUCTURES_ON_PAGE,
    cohorts: int | None = COHORTS_ON_PAGE,
) -> dict[str, Table]:
    """One query: by profile, by structure and by cohort (the largest, or all with None)."""
    grouped = services.funnel_by_public(filters, structures)
    raw_total = _sum(grouped["profil"])
    total = protect([raw_total], STEPS)[0]
    return {
        "profils": _profile_table(grouped["profil"], total),
        "structures": _structure_table(grouped["structure"], raw_total, total),
        "cohortes": _cohort_table(grouped["cohorte"], cohorts),
    }


def _profile_order(row: dict) -> int:
    return list(PROFILES).index(row["key"]) if row["key"] in PROFILES else len(PROFILES)


def _profile_table(rows: list[dict], total: dict) -> Table:
    """Every profile, even one that nobody has chosen yet."""
    found = {row["key"] for row in rows}
    rows = [
        *rows,
        *({"key": key, **dict.fromkeys(STEPS, 0)} for key in PROFILES if key not in found),
    ]
    cells = protect(sorted(rows, key=_profile_order), STEPS, total)
    return Table(
        "profils",
        "Par profil",
        _funnel_columns([Column("profil", "Profil", "text")]),
        [
            _with_rate({"profil": PROFILES.get(row["key"], row["key"]), **_only_steps(row)})
            for row in cells
        ],
        total=_with_rate({"profil": "Ensemble", **total}),
    )


def _only_steps(row: dict) -> dict:
    return {step: row[step] for step in STEPS}


def _structure_table(rows: list[dict], raw_total: dict, total: dict) -> Table:
    listed = _sum(rows)
    others = {step: raw_total[step] - listed[step] for step in STEPS}
    named = [{"structure": row["label"].strip(), **_only_steps(row)} for row in rows]
    cells = protect([*named, {"structure": "Autres structures", **others}], STEPS, total)
    return Table(
        "structures",
        "Par structure",
        _funnel_columns([Column("structure", "Structure", "text")]),
        [_with_rate(row) for row in cells],
        total=_with_rate({"structure": "Ensemble", **total}),
        note="Seules les structures d'au moins 5 inscrit·es sont nommées, les plus grandes "
        "d'abord ; les autres sont regroupées.",
    )


def _cohort_table(rows: list[dict], shown: int | None) -> Table:
    note = "Une personne peut appartenir à plusieurs cohortes : les lignes ne s'additionnent pas."
    if shown is not None and len(rows) > shown:
        note = (
            f"Les {shown} cohortes qui comptent le plus d'inscrit·es, sur {len(rows)} ; "
            f"l'export les donne toutes. {note}"
        )
    largest = sorted(rows, key=lambda row: (-row["inscrits"], row["label"].lower()))[:shown]
    # Shown by name: an order by size would tell apart the counts hidden under 5.
    cells = protect(sorted(largest, key=lambda row: (row["label"].lower(), row["key"])), STEPS)
    return Table(
        "cohortes",
        "Par cohorte",
        _funnel_columns([Column("cohorte", "Cohorte", "text")]),
        [_with_rate({"cohorte": row["label"], **_only_steps(row)}) for row in cells],
        note=note,
    )


# --- readiness ---------------------------------------------------------------------------------


def readiness_table(filters: Filters) -> dict[str, Table]:
    """One query: every statement, before and after."""
    found = {(row["phase"], row["statement_id"]): row for row in services.readiness(filters)}
    rows = []
    for statement_id, text in readiness().statements.items():
        before = _readiness_cells(found.get((INITIAL, statement_id)), PHASES[INITIAL])
        after = _readiness_cells(found.get((FINAL, statement_id)), PHASES[FINAL])
        rows.append(
            {
                "affirmation": text,
                "avant_repondants": before["repondants"],
                "avant_part": before["part"],
                "avant_moyenne": before["moyenne"],
                "apres_repondants": after["repondants"],
                "apres_part": after["part"],
                "apres_moyenne": after["moyenne"],
                "evolution": _gap(before["part"], after["part"]),
            }
        )
    return {
        "positionnement": Table(
            "positionnement",
            "Positionnement avant et après la formation, affirmation par affirmation",
            [
                Column("affirmation", "Affirmation", "text"),
                Column("avant_repondants", "Avant : personnes"),
                Column("avant_part", "Avant : 4 ou 5 (%)", "share"),
                Column("avant_moyenne", "Avant : moyenne sur 5", "number"),
                Column("apres_repondants", "Après : personnes"),
                Column("apres_part", "Après : 4 ou 5 (%)", "share"),
                Column("apres_moyenne", "Après : moyenne sur 5", "number"),
                Column("evolution", "Évolution (points)", "number"),
            ],
            rows,
            note="Chaque personne compte pour sa dernière réponse à chaque moment.",
        )
    }


def _gap(before: float | None, after: float | None) -> float | None:
    return round(after - before, 1) if before is not None and after is not None else None


# --- quizzes -----------------------------------------------------------------------------------


def questions(filters: Filters) -> dict[str, Table]:
    """Two queries: each quiz, then each question, weakest first."""
    summary = services.quiz_summary(filters)
    modules = {module.slug: module.title for module in catalogue().modules}
    people = {slug: shown(row["personnes"]) for slug, row in summary.items()}
    return {
        "quiz": _quiz_table(summary, modules),
        "questions": _question_table(services.question_results(filters), modules, people),
    }


def _quiz_table(summary: dict, modules: dict) -> Table:
    rows = []
    for slug, title in modules.items():
        row = summary.get(slug, {"personnes": 0, "tentatives": 0, "reussies": 0})
        cells = protect([row], ("personnes", "tentatives", "reussies"))[0]
        rows.append(
            {
                "module": title,
                "personnes": cells["personnes"],
                "tentatives": cells["tentatives"],
                "taux_reussite": share(cells["reussies"], cells["tentatives"])
                if is_shown(cells["personnes"])
                else None,
            }
        )
    return Table(
        "quiz",
        "Les quiz, module par module",
        [
            Column("module", "Module", "text"),
            Column("personnes", "Personnes ayant rendu le quiz"),
            Column("tentatives", "Tentatives rendues"),
            Column("taux_reussite", "Tentatives réussies (%)", "share"),
        ],
        rows,
    )


def _question_table(results: list[dict], modules: dict, people: dict) -> Table:
    banks = current_app.extensions["quizzes"]
    rows = []
    for row in results:
        bank = banks.get(row["module_slug"])
        question = bank.question(row["question_id"]) if bank else None
        answers = shown(row["reponses"])
        visible = is_shown(people.get(row["module_slug"], SMALL)) and is_shown(answers)
        rows.append(
            {
                "module": modules.get(row["module_slug"], row["module_slug"]),
                "question_id": row["question_id"],
                "question": question.prompt if question else "(question retirée de la banque)",
                "reponses": answers,
                "part_juste": round(100 * row["justes"] / row["reponses"], 1) if visible else None,
            }
        )
    # Weakest first; ties by module and question id, so the same figures always read alike.
    rows.sort(
        key=lambda row: (
            row["part_juste"] is None,
            row["part_juste"] or 0,
            row["module"],
            row["question_id"],
        )
    )
    return Table(
        "questions",
        "Chaque question, la moins réussie d'abord",
        [
            Column("module", "Module", "text"),
            Column("question_id", "Identifiant", "text"),
            Column("question", "Question", "text"),
            Column("reponses", "Réponses (toutes tentatives)"),
            Column("part_juste", "Réponses justes (%)", "share"),
        ],
        rows,
        note="Une question n'est pas analysée quand moins de 5 personnes ont rendu son quiz.",
    )
