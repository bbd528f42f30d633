"""The national benchmark, run small: its bulk loading (COPY or executemany) gives data that the
platform reads as its own, and its figures come out in print_figure's shape."""

from sqlalchemy import func, select

from bench.stats import Dataset, bench_stats, table_sizes
from lms.extensions import db
from lms.models import User
from stats import tables
from stats.forms import Filters


def test_the_dataset_grows_in_steps(app, create_user):
    dataset = Dataset(app)
    dataset.grow_to(40)
    dataset.grow_to(100)
    sizes = table_sizes()
    assert sizes["users"] == 100 and sizes["cohorts"] == 100 * 6 // 1000
    # The fixture catalogue is short: some thirty statements each (a hundred on the real one).
    assert 10 * 100 < sizes["xapi_statements"] < 100 * 100
    funnel = tables.overview(Filters())["entonnoir"].rows
    assert funnel[0]["personnes"] == 100
    # Indexes were rebuilt and sequences moved on: the platform writes after the bench's rows.
    assert create_user().id == 101
    assert (
        db.session.scalar(select(func.count()).where(User.email.like("synthetique-banc-%"))) == 100
    )


def test_bench_stats_times_each_page_at_both_sizes(app, monkeypatch, capsys):
    monkeypatch.setenv("BENCH_STATS_SIZES", "20,60")
    app.config["WTF_CSRF_ENABLED"] = False  # the bench logs in without a form
    figures = bench_stats(app)
    assert len(figures) == 6
    assert figures[0][0] == "tableau de bord (vue d'ensemble), 60 apprenants"
    assert figures[0][2] == "le même, 20 apprenants"
    assert all(figure[1] > 0 and figure[3] > 0 and figure[4] == "ms" for figure in figures)
    assert "20 apprenants" in capsys.readouterr().out


def test_bench_reach_times_the_reach_at_both_sizes(app, monkeypatch, capsys):
    from datetime import date

    from bench.reach import bench_reach
    from stats.reach import ReachFilters, totals

    monkeypatch.setenv("BENCH_REACH_SIZES", "20,60")
    app.config["WTF_CSRF_ENABLED"] = False  # the bench logs in without a form
    figures = bench_reach(app)
    assert [figure[0] for figure in figures] == [
        "portée nationale des cafés (page), 60 cafés",
        "portée nationale des cafés (JSON public), 60 cafés",
        "compte rendu envoyé puis corrigé, avec les totaux (60 cafés)",
    ]
    assert all(figure[1] > 0 and figure[3] > 0 and figure[4] == "ms" for figure in figures)
    assert figures[0][2] == "la même, 20 cafés" and "20 cafés" in capsys.readouterr().out
    assert totals(ReachFilters())["cafes"] == 60  # the reports are the platform's own
    # The reports the write figure added are gone, and the tally still equals a recount.
    assert totals(ReachFilters()) == totals(ReachFilters(start=date(2000, 1, 1)))
