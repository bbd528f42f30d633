"""The reach of the cafés at scale: the national reach query timed at 5,000 then 50,000 cafés.

`python -m bench stats` runs it after the learners' statistics. Reports go in directly (the
bench measures the query, not the report form), spread over two years of café days, the 101
départements, the audiences and formats, with one to three themes, an action path and, for a
third of them, an age breakdown: the rows the reach page groups. Each size times the reach page
(its tables, read from the tally the database keeps) and the open data built from the same
figures. At the large size, a report submitted then corrected (the form's writes: the report,
its themes, path and breakdown) is timed with the tally's triggers and without them, in
alternating rounds: what keeping the tally costs a writer.

BENCH_REACH_SIZES=500,5000 changes the two sizes (a quicker run).
"""

import os
import random
import statistics
import time
from contextlib import contextmanager, nullcontext
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, select, text

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
WRITE_ROUNDS, WRITES_PER_ROUND = 7, 20
CHUNK = 1000  # rows per INSERT
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
        # Multi-row INSERTs: an executemany is one statement per row on psycopg, and the
        # tally's triggers would run once per row.
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(model).values(rows[start : start + CHUNK]))
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
    pages = [
        (
            f"{name}, {large:,} cafés",
            times[large][name],
            f"la même, {small:,} cafés",
            times[small][name],
            "ms",
        )
        for name in PAGES
    ]
    return [*pages, bench_report_writes(random_source, large)]


# --- what the tally costs a writer -----------------------------------------------------------


def _write_report(random_source: random.Random, number: int) -> None:
    """A report submitted, then corrected: other participants, another theme."""
    place = random_source.choice(list(all_departements().values()))
    report = CafeReport(
        held_on=date.today() - timedelta(days=random_source.randrange(DAYS)),
        departement_code=place.code,
        region=place.region,
        audience=random_source.choice(list(AUDIENCES)),
        format=random_source.choice(list(FORMATS)),
        participants=12,
        synthesis="",
        status=SUBMITTED,
    )
    themes = random_source.sample(list(THEMES), 3)
    report.themes = [ReportTheme(code=code, label="") for code in themes[:2]]
    report.action_paths = [ReportActionPath(code=random_source.choice(list(ACTION_PATHS)))]
    report.counts = [ReportCount(dimension=BY_AGE, category="18_29", count=12)]
    db.session.add(report)
    db.session.commit()
    report.participants = 10 + number % 5
    report.themes = [report.themes[0], ReportTheme(code=themes[2], label="")]
    db.session.commit()


def _tally_triggers() -> list[tuple[str, str, str]]:
    """(table, name, SQL) of the reach tally's triggers."""
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(
            text(
                "SELECT c.relname, t.tgname, '' FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'reach_tallies_%'"
            )
        )
    else:
        rows = db.session.execute(
            text(
                "SELECT tbl_name, name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'reach_tallies_%'"
            )
        )
    return [tuple(row) for row in rows]


@contextmanager
def tally_triggers_off():
    """PostgreSQL disables them; SQLite, which cannot, drops them and creates them again."""
    triggers = _tally_triggers()
    postgres = db.engine.dialect.name == "postgresql"
    for table, name, _ in triggers:
        sql = f"ALTER TABLE {table} DISABLE TRIGGER {name}" if postgres else f"DROP TRIGGER {name}"
        db.session.execute(text(sql))
    db.session.commit()
    try:
        yield
    finally:
        for table, name, sql in triggers:
            db.session.execute(
                text(f"ALTER TABLE {table} ENABLE TRIGGER {name}" if postgres else sql)
            )
        db.session.commit()


def _round(random_source: random.Random) -> tuple[float, list[int]]:
    """Milliseconds per report written over one round, and the reports written."""
    first_id = (db.session.scalar(select(func.max(CafeReport.id))) or 0) + 1
    started = time.perf_counter()
    for number in range(WRITES_PER_ROUND):
        _write_report(random_source, number)
    elapsed = (time.perf_counter() - started) * 1000 / WRITES_PER_ROUND
    return elapsed, db.session.scalars(select(CafeReport.id).where(CafeReport.id >= first_id)).all()


def _remove(ids: list[int]) -> None:
    db.session.execute(delete(CafeReport).where(CafeReport.id.in_(ids)))
    db.session.commit()


def bench_report_writes(random_source: random.Random, size: int) -> tuple:
    """With and without the triggers, in alternating rounds. The reports written go again, each
    as it came (the tallied ones with the triggers on), so the tally stays exact."""
    times = {True: [], False: []}
    written = {True: [], False: []}
    for _ in range(WRITE_ROUNDS):
        for on in (True, False):
            with nullcontext() if on else tally_triggers_off():
                elapsed, ids = _round(random_source)
            times[on].append(elapsed)
            written[on] += ids
    _remove(written[True])
    with tally_triggers_off():
        _remove(written[False])
    return (
        f"compte rendu envoyé puis corrigé, avec les totaux ({size:,} cafés)",
        statistics.median(times[True]),
        "le même, sans les déclencheurs",
        statistics.median(times[False]),
        "ms",
    )
