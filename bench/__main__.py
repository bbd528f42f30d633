"""`make bench`: print each figure beside its baseline and their ratio.

Runs on a fresh SQLite file, or on PostgreSQL when DATABASE_URL is set (the database is emptied).

    python -m bench          xAPI recording and delivery, the lesson page, a cohort's dashboard
    python -m bench stats    national statistics on a generated national dataset (heavy: minutes),
                             then the cafés' reach at 5,000 and 50,000 reports
    python -m bench all      both
    python -m bench profile  where a lesson page's time goes (cProfile)
    python -m bench load     simulated learners through an LRS outage and a database restart
                             (a private PostgreSQL and Ralph of its own; about three minutes)
"""

import atexit
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from cafeia import create_app
from lms.config import database_url, scratch_database
from lms.extensions import db

from . import load
from .accounts import PASSWORD, bench_account
from .cohorts import bench_cohort_dashboard
from .courses import bench_lesson_page
from .profile import profile_lesson_page
from .reach import bench_reach
from .stats import bench_stats
from .xapi import bench_delivery, bench_recording


def bench_app():
    uri = os.environ.get("DATABASE_URL")
    # SQLite: a file of its own, removed at exit (the national dataset takes gigabytes).
    uri = database_url(uri) if uri else f"sqlite:///{_scratch_folder() / 'bench.sqlite3'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "http://cafeia.bench",
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            if not scratch_database(uri):
                sys.exit(
                    "Le banc d'essai vide la base : donnez-lui une base nommée bench… ou test…."
                )
            _create_if_missing(db.engine.url)
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    return app


def _scratch_folder() -> Path:
    folder = tempfile.mkdtemp(prefix="cafeia-bench-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return Path(folder)


def _create_if_missing(url) -> None:
    """The bench database is created on first use, from the server's default database."""
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        known = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        )
        if not known:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()


def print_figure(name: str, value: float, baseline_name: str, baseline: float, unit: str):
    print(f"{name:<48} {value:>10.1f} {unit}")
    print(f"  baseline: {baseline_name:<38} {baseline:>10.1f} {unit}")
    print(f"  ratio: {value / baseline:.2f}\n")


def main(argv: list[str]) -> None:
    choice = argv[0] if argv else "platform"
    if choice == "load":
        return load.main(print_figure)  # its own database server: not bench_app's
    if choice not in ("platform", "stats", "all", "profile"):
        sys.exit("usage : python -m bench [stats|all|load|profile]")
    app = bench_app()
    with app.app_context():
        print(f"Base : {db.engine.dialect.name}\n")
        started = time.perf_counter()
        if choice == "profile":
            return bench_profile(app)
        if choice in ("platform", "all"):
            bench_platform(app)
        if choice in ("stats", "all"):
            for figure in [*bench_stats(app), *bench_reach(app)]:
                print_figure(*figure)
        print(f"(total {time.perf_counter() - started:.1f} s)")


def bench_platform(app) -> None:
    email = f"bench-{uuid.uuid4().hex[:6]}@exemple.fr"
    learner = bench_account(email)
    db.session.commit()
    print_figure(*bench_recording(app, learner))
    print_figure(*bench_delivery(app, learner))
    for figure in bench_lesson_page(app, email, PASSWORD):
        print_figure(*figure)
    print_figure(*bench_cohort_dashboard(app))


def bench_profile(app) -> None:
    email = f"bench-{uuid.uuid4().hex[:6]}@exemple.fr"
    bench_account(email)
    db.session.commit()
    profile_lesson_page(app, email)


if __name__ == "__main__":
    main(sys.argv[1:])
