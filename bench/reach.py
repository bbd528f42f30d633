"""The reach of the cafés at scale: the national reach query timed at 5,000 then 50,000 cafés.

`python -m bench stats` runs it after the learners' statistics. Reports go in directly (the
bench measures the query, not the report form), spread over two years of café days, the 101
départements, the audiences and formats, with one to three themes, an action path and, for a
third of them, an age breakdown: the rows the reach page groups. Each size times the reach page
(its three aggregates and the tables) and the open data built from the same figures.

BENCH_REACH_SIZES=500,5000 changes the two sizes (a quicker run).
"""

import os
import random
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text

from annuaire.models import AUDIENCES
from cafes.models import (
    ACTION_PATHS,
    AGE_BANDS,
    BY_AGE,
    FORMATS,
    SUBMITTED,
    THEMES,
    CafeReport,
    ReportActionPath,
    ReportCount,
    ReportTheme,
)
from lms.departements import all_departements
from lms.extensions import db

from .stats import admin_client, settle, time_page

SIZES = (5_000, 50_000)
DAYS = 730  # two years of cafés
PAGES = {
    "portée nationale des cafés (page)": "/admin/statistiques/cafes",
    "portée nationale des cafés (JSON public)": "/statistiques/cafes.json",
}


def sizes() -> tuple[int, int]:
    raw = os.environ.get("BENCH_REACH_SIZES")
    return tuple(int(n) for n in raw.split(",")) if raw else SIZES


def grow_to(cafes: int, random_source: random.Random) -> None:
    """Add submitted reports (and their themes, paths, breakdowns) up to `cafes`."""
    have = db.session.scalar(select(func.count()).select_from(CafeReport))
    deps = list(all_departements().values())
    first_day = date.today() - timedelta(days=DAYS)
    reports, themes, paths, counts = [], [], [], []
    start = (db.session.scalar(select(func.max(CafeReport.id))) or 0) + 1
    for report_id in range(start, start + cafes - have):
        place = random_source.choice(deps)
        people = random_source.randint(4, 30)
        reports.append(
            {
                "id": report_id,
                "held_on": first_day + timedelta(days=random_source.randrange(DAYS)),
                "departement_code": place.code,
                "region": place.region,
                "audience": random_source.choice(list(AUDIENCES)),
                "format": random_source.choice(list(FORMATS)),
                "participants": people,
                "synthesis": "",
                "status": SUBMITTED,
            }
        )
        for code in random_source.sample(list(THEMES), random_source.randint(1, 3)):
            themes.append({"report_id": report_id, "code": code, "label": ""})
        paths.append(
            {"report_id": report_id, "code": random_source.choice(list(ACTION_PATHS)), "label": ""}
        )
        if report_id % 3 == 0:
            band = random_source.choice(list(AGE_BANDS))
            counts.append(
                {"report_id": report_id, "dimension": BY_AGE, "category": band, "count": people}
            )
    for model, rows in (
        (CafeReport, reports),
        (ReportTheme, themes),
        (ReportActionPath, paths),
        (ReportCount, counts),
    ):
        if rows:
            db.session.execute(insert(model), rows)
    if db.engine.dialect.name == "postgresql":  # the ids were written: the sequence follows
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('cafe_reports', 'id'), max(id)) FROM cafe_reports"
            )
        )
    db.session.commit()
    settle()


def bench_reach(app) -> list[tuple]:
    """Figures for print_figure: each page at the large size against the small one."""
    small, large = sizes()
    app.config["STATS_OPEN_DATA_TTL"] = 0  # time the figures, not their cache
    random_source, times = random.Random("banc-cafes"), {}
    for size in (small, large):
        grow_to(size, random_source)
        client = admin_client(app)
        times[size] = {name: time_page(client, path) for name, path in PAGES.items()}
        print(f"{size:>7,} cafés : {', '.join(f'{n} {t:.1f} ms' for n, t in times[size].items())}")
    print(f"  (cafés × {large / small:g})\n")
    return [
        (
            f"{name}, {large:,} cafés",
            times[large][name],
            f"la même, {small:,} cafés",
            times[small][name],
            "ms",
        )
        for name in PAGES
    ]
