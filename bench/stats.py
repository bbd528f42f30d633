"""National statistics at scale: a synthetic France of learners, and the dashboard timed on it.

`python -m bench stats` grows the bench database to 5,000 then 50,000 learners (across the 101
départements, 6 cohorts per 1,000 learners: 300 at 50,000, about 100 xAPI statements each:
5 million at 50,000, with their progress, quiz attempts and answers, readiness answers,
certificates and listings), and times the statistics pages at each size. On PostgreSQL the rows
go in with COPY, on SQLite with executemany in large transactions.

BENCH_STATS_SIZES=2000,20000 changes the two sizes (a quicker run).
"""

import json
import os
import statistics
import time
from contextlib import contextmanager

from sqlalchemy import func, select, text

from lms.extensions import db
from stats.services import funnel_catalogue_current
from stats.synthetic import (
    COLUMNS,
    TABLES,
    Synthesis,
    course_of_app,
    next_ids,
    sync_sequences,
    utc_now,
)

from .accounts import PASSWORD, bench_account

SIZES = (5_000, 50_000)
COHORTS_PER_THOUSAND = 6
WEEKS = 104  # two years of the programme
RUNS = 7
PAGES = {
    "tableau de bord (vue d'ensemble)": "/admin/statistiques",
    "territoires et carte": "/admin/statistiques/territoires",
    "profils, structures, cohortes": "/admin/statistiques/publics",
    "positionnement": "/admin/statistiques/positionnement",
    "analyse des questions": "/admin/statistiques/questions",
    "totaux nationaux (JSON public)": "/statistiques.json",
}


def sizes() -> tuple[int, int]:
    raw = os.environ.get("BENCH_STATS_SIZES")
    return tuple(int(n) for n in raw.split(",")) if raw else SIZES


# --- loading -----------------------------------------------------------------------------------


def _pg_value(value) -> str:
    """COPY's text format. Synthetic values hold no tab, newline or backslash to escape."""
    if value is None:
        return r"\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _sqlite_value(value):
    if isinstance(value, dict | list):
        return json.dumps(value)
    if hasattr(value, "isoformat"):  # the format SQLAlchemy writes SQLite timestamps in
        return value.isoformat(sep=" ", timespec="microseconds")[:26]
    return value


class Loader:
    """Bulk inserts on the raw driver connection: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self):
        self.connection = db.engine.raw_connection()
        self.postgres = db.engine.dialect.name == "postgresql"

    def load(self, rows: dict[str, list[tuple]]) -> None:
        cursor = self.connection.cursor()
        for table in TABLES:
            if rows[table]:
                (self._copy if self.postgres else self._executemany)(cursor, table, rows[table])
        self.connection.commit()

    def _copy(self, cursor, table, rows) -> None:
        columns = ", ".join(COLUMNS[table])
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            copy.write("".join("\t".join(map(_pg_value, row)) + "\n" for row in rows))

    def _executemany(self, cursor, table, rows) -> None:
        columns = COLUMNS[table]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        cursor.executemany(sql, [tuple(map(_sqlite_value, row)) for row in rows])

    def close(self) -> None:
        self.connection.close()


def settle() -> None:
    """Sequences continue after the ids written; the planner gets fresh statistics and
    PostgreSQL its visibility map, as autovacuum would give them a production database, and
    the load's dirty pages are written out before anything is timed."""
    sync_sequences(db.session)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
            connection.execute(text("CHECKPOINT"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


# The big tables: their secondary indexes are built once after the load, not row by row.
BIG_TABLES = ("xapi_statements", "quiz_answers", "lesson_progress")


@contextmanager
def indexes_built_after():
    indexes = [index for name in BIG_TABLES for index in db.metadata.tables[name].indexes]
    for index in indexes:
        index.drop(db.engine)
    try:
        yield
    finally:
        for index in indexes:
            index.create(db.engine)


class Dataset:
    """The national dataset, grown step by step: learners keep their index from one size to the next."""

    def __init__(self, app):
        self.synthesis = Synthesis(course_of_app(app), utc_now(), weeks=WEEKS, seed="banc")
        self.learners = self.cohorts = 0

    def grow_to(self, learners: int) -> float:
        """Add learners (and cohorts) up to `learners`; returns the seconds it took."""
        started = time.perf_counter()
        ids, loader = next_ids(db.session), Loader()
        db.session.commit()
        cohorts = learners * COHORTS_PER_THOUSAND // 1000
        rows = {table: [] for table in TABLES}
        self.synthesis.add_cohorts(ids, self.cohorts, cohorts, rows)
        loader.load(rows)
        with indexes_built_after():
            for batch in self.synthesis.learners(ids, self.learners, learners, batch=2000):
                loader.load(batch)
        loader.close()
        funnel_catalogue_current()  # as the first page after a deployment would, not timed
        settle()
        self.learners, self.cohorts = learners, cohorts
        return time.perf_counter() - started


def table_sizes() -> dict[str, int]:
    tables = ("users", "cohorts", "quiz_answers", "readiness_answers", "xapi_statements")
    return {table: db.session.scalar(text(f"SELECT count(*) FROM {table}")) for table in tables}


# --- timing ------------------------------------------------------------------------------------


def admin_client(app):
    from lms.models import User

    email = "banc-stats@exemple.fr"
    if not db.session.scalar(select(func.count()).where(User.email == email)):
        bench_account(email, role="admin")
        db.session.commit()
    client = app.test_client()
    response = client.post("/connexion", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, "connexion de l'admin du banc d'essai"
    return client


def time_page(client, path: str) -> float:
    """The median of RUNS requests, in milliseconds, after one warm-up (the server side only)."""
    assert client.get(path).status_code == 200, path
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    return statistics.median(times)


def bench_stats(app) -> list[tuple]:
    """Figures for print_figure: each page at the large size against the small one."""
    small, large = sizes()
    app.config["STATS_OPEN_DATA_TTL"] = 0  # time the open data's figures, not its cache
    dataset, times = Dataset(app), {}
    for size in (small, large):
        seconds = dataset.grow_to(size)
        counts = table_sizes()
        print(
            f"{size:>7,} apprenants : données générées en {seconds:.0f} s — "
            + ", ".join(f"{table} {n:,}" for table, n in counts.items())
        )
        client = admin_client(app)
        times[size] = {name: time_page(client, path) for name, path in PAGES.items()}
    print(f"  (données × {large / small:g})\n")
    return [
        (
            f"{name}, {large:,} apprenants",
            times[large][name],
            f"le même, {small:,} apprenants",
            times[small][name],
            "ms",
        )
        for name in PAGES
    ]
