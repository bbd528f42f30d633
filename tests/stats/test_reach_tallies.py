"""The cafés' reach tally the database keeps (stats.reach_tallies) against a recount.

Generated sequences of writes — reports written as drafts or submitted, submitted later or taken
back, their café's day, place, audience, format and participants changed; themes and action
paths added (free ones several times under the same code), recoded and removed; the breakdown
added, changed and removed; reports deleted with their rows by the cascade; animateurs' accounts
erased (their reports stay, without their free words) — and after each sequence the tally must
equal the figures counted from the reports themselves, and the page built from each the same.
"""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from cafes.models import (
    BY_AGE,
    BY_AUDIENCE,
    DRAFT,
    FREE,
    SUBMITTED,
    CafeReport,
    ReportActionPath,
    ReportCount,
    ReportTheme,
)
from lms.accounts.services import delete_account
from lms.extensions import db
from lms.models import User
from stats import reach, reach_tables
from stats.reach import ReachFilters
from stats.reach_tallies import ReachTally

from .test_tallies import person

ANIMATEURS = 2
FIRST_DAY = date(2026, 1, 20)  # two or three months of cafés
PLACES = (("35", "Bretagne"), ("29", "Bretagne"), ("75", "Île-de-France"))
AUDIENCES = ("tout_public", "seniors")
FORMATS = ("presentiel", "en_ligne")
THEMES = ("prise_en_main", "regles_usage", FREE)
PATHS = ("atelier_pratique", FREE)
LABELS = ("", "mots libres", "autres mots")
CATEGORIES = ((BY_AGE, "18_29"), (BY_AGE, "60_74"), (BY_AUDIENCE, "seniors"))

named = st.tuples(st.sampled_from(THEMES), st.sampled_from(LABELS))
new_report = st.tuples(
    st.just("report"),
    st.integers(0, ANIMATEURS - 1),
    st.sampled_from((DRAFT, SUBMITTED)),
    st.integers(0, 60),  # the café's day
    st.integers(0, len(PLACES) - 1),
    st.integers(0, 40),  # participants
    st.lists(named, max_size=3),  # themes, written with the report as the form does
    st.lists(named, max_size=2),  # action paths
    st.dictionaries(st.sampled_from(CATEGORIES), st.integers(0, 20), max_size=2),
)
status = st.tuples(st.just("status"), st.integers(0, 30), st.sampled_from((DRAFT, SUBMITTED)))
figures = st.tuples(
    st.just("figures"),
    st.integers(0, 30),
    st.integers(0, 60),
    st.integers(0, len(PLACES) - 1),
    st.sampled_from(AUDIENCES),
    st.sampled_from(FORMATS),
    st.integers(0, 40),
)
choice = st.tuples(
    st.just("choice"),
    st.sampled_from((ReportTheme, ReportActionPath)),
    st.integers(0, 30),
    st.sampled_from(THEMES),
    st.sampled_from(LABELS),
)
recode = st.tuples(st.just("recode"), st.integers(0, 60), st.sampled_from(THEMES))
unchoose = st.tuples(
    st.just("unchoose"), st.sampled_from((ReportTheme, ReportActionPath)), st.integers(0, 60)
)
count = st.tuples(
    st.just("count"), st.integers(0, 30), st.sampled_from(CATEGORIES), st.integers(0, 20)
)
uncount = st.tuples(st.just("uncount"), st.integers(0, 60))
drop = st.tuples(st.just("drop"), st.integers(0, 30))
erase = st.tuples(st.just("erase"), st.integers(0, ANIMATEURS - 1))
operations = st.lists(
    st.one_of(
        new_report, new_report, status, figures, choice, choice, recode, unchoose, count,
        count, uncount, drop, erase,
    ),
    max_size=30,
)  # fmt: skip


def nth(model, index: int):
    rows = db.session.scalars(select(model).order_by(*model.__table__.primary_key)).all()
    return rows[index % len(rows)] if rows else None


def run(steps: list[tuple], animateurs: list[User | None]) -> None:
    for kind, *args in steps:
        if kind == "report":
            _report(animateurs[args[0]], *args[1:])
        elif kind == "status" and (row := nth(CafeReport, args[0])):
            row.status = args[1]
        elif kind == "figures" and (row := nth(CafeReport, args[0])):
            day, place, audience, fmt, people = args[1:]
            row.held_on = FIRST_DAY + timedelta(days=day)
            row.departement_code, row.region = PLACES[place]
            row.audience, row.format, row.participants = audience, fmt, people
        elif kind == "choice" and (row := nth(CafeReport, args[1])):
            model, code = args[0], args[2] if args[0] is ReportTheme else _path(args[2])
            label = _label(code, args[3])
            if not db.session.scalar(
                select(model.id).filter_by(report_id=row.id, code=code, label=label)
            ):
                db.session.add(model(report_id=row.id, code=code, label=label))
        elif kind == "recode" and (theme := nth(ReportTheme, args[0])):
            _recode(theme, args[1])
        elif kind == "unchoose" and (row := nth(args[0], args[1])):
            db.session.delete(row)
        elif kind == "count" and (row := nth(CafeReport, args[0])):
            (dimension, category), n = args[1], args[2]
            db.session.merge(
                ReportCount(report_id=row.id, dimension=dimension, category=category, count=n)
            )
        elif kind == "uncount" and (row := nth(ReportCount, args[0])):
            db.session.delete(row)
        elif kind == "drop" and (row := nth(CafeReport, args[0])):
            # The database's cascade takes the themes, paths and breakdown.
            db.session.execute(delete(CafeReport).where(CafeReport.id == row.id))
        elif kind == "erase" and animateurs[args[0]] is not None:
            delete_account(animateurs[args[0]])  # the reports stay, their free words go
            animateurs[args[0]] = None
        db.session.commit()


def _report(animateur, state, day, place, people, themes=(), paths=(), counts=None) -> None:
    code, region = PLACES[place]
    report = CafeReport(
        animateur_id=animateur.id if animateur else None,
        held_on=FIRST_DAY + timedelta(days=day),
        departement_code=code,
        region=region,
        audience=AUDIENCES[day % 2],
        format=FORMATS[people % 2],
        participants=people,
        status=state,
    )
    themes = dict.fromkeys((c, _label(c, w)) for c, w in themes)
    paths = dict.fromkeys((c, _label(c, w)) for c, w in ((_path(c), w) for c, w in paths))
    report.themes = [ReportTheme(code=c, label=w) for c, w in themes]
    report.action_paths = [ReportActionPath(code=c, label=w) for c, w in paths]
    report.counts = [
        ReportCount(dimension=d, category=c, count=n) for (d, c), n in (counts or {}).items()
    ]
    db.session.add(report)


def _label(code: str, words: str) -> str:
    return words if code == FREE else ""


def _path(code: str) -> str:
    """The themes' codes drawn for a path: the free one stays, the others are a path's."""
    return code if code == FREE else PATHS[0]


def _recode(theme: ReportTheme, code: str) -> None:
    label = theme.label if code == FREE else ""
    taken = db.session.scalar(
        select(ReportTheme.id).filter_by(report_id=theme.report_id, code=code, label=label)
    )
    if not taken:
        theme.code, theme.label = code, label


def tallied() -> dict:
    found = {
        "dimensions": reach.by_dimension(ReachFilters()),
        "choices": reach.choices(ReachFilters()),
        "breakdown": reach.breakdown(ReachFilters()),
        "totals": reach.totals(ReachFilters()),
    }
    return found


def recount() -> dict:
    """The same figures counted on the reports: a filter that keeps every café."""
    every = ReachFilters(start=date(2000, 1, 1))
    return {
        "dimensions": reach.counted_by_dimension(every),
        "choices": reach.counted_choices(every),
        "breakdown": reach.counted_breakdown(every),
        "totals": reach.totals(every),
    }


def without_empty(found: dict) -> dict:
    """The tally reads every dimension, the count only those with a group."""
    found["breakdown"] = {k: v for k, v in found["breakdown"].items() if v}
    found["choices"] = {k: v for k, v in found["choices"].items() if v}
    return found


def start_empty() -> list[User]:
    db.session.execute(delete(CafeReport))
    db.session.execute(delete(User))
    db.session.execute(delete(ReachTally))
    db.session.commit()
    people = [person(f"animateur{i}") for i in range(ANIMATEURS)]
    db.session.add_all(people)
    db.session.commit()
    return people


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reports=st.lists(new_report, min_size=1, max_size=5), steps=operations)
def test_the_reach_tally_equals_a_recount_after_any_writes(app, reports, steps):
    run(reports + steps, start_empty())
    assert without_empty(tallied()) == without_empty(recount())


def test_the_reach_page_from_the_tally_equals_the_page_counted(app):
    """Unfiltered, the tables read the tally; a filter that keeps every café counts the
    reports: every table the same, drafts left out, a free theme named twice counted once."""
    animateurs = start_empty()
    run(
        [
            ("report", 0, SUBMITTED, 0, 0, 12),
            ("report", 0, SUBMITTED, 35, 1, 7),
            ("report", 1, DRAFT, 3, 2, 30),
            ("choice", ReportTheme, 0, FREE, "mots libres"),
            ("choice", ReportTheme, 0, FREE, "autres mots"),
            ("choice", ReportTheme, 2, "prise_en_main", ""),
            ("count", 1, (BY_AGE, "18_29"), 7),
        ]
        + [("report", 1, SUBMITTED, day, 2, 20) for day in range(5)],
        animateurs,
    )
    from_tally = reach_tables.reach_tables(ReachFilters())
    counted = reach_tables.reach_tables(ReachFilters(start=date(2000, 1, 1)))
    for name, table in from_tally.items():
        if name != "cafes_mois":  # the filter's start stretches the months back to 2000
            assert table.rows == counted[name].rows, name
    assert reach.totals(ReachFilters()) == {"cafes": 7, "personnes": 119}
    assert reach.choices(ReachFilters())["themes"] == {FREE: 1}
