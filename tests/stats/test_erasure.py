"""Erasing an account does not rewrite history: every figure for past periods stays the same,
and what is kept of the person is anonymous.

The figures are read twice around an erasure made through HTTP: as published (the CSV exports
of every table, the territory pages, /statistiques.json) and raw (the services' counts, before
the small-cell rule hides them). Two deliberate exceptions, tested as such: the annuaire step
counts the listings visible now (an erased person's listing is gone), and the employer is not
kept, so an erased person moves from their structure to « Autres structures ».
"""

import re
from datetime import date

import pytest
from sqlalchemy import select

from certificates.demo import certify
from lms.extensions import db
from lms.models import User
from stats import erasure, services
from stats.forms import Filters
from stats.models import (
    ErasedCohortMember,
    ErasedLearner,
    ErasedQuestionResult,
    ErasedQuizResult,
    ErasedReadiness,
)
from stats.views import EXPORTS
from tests.conftest import PASSWORD
from tests.helpers import read_people_csv

WEEK_1_DAY = date(2026, 1, 6)  # tests/stats/conftest.py: b1–b7 signed up that Tuesday


@pytest.fixture
def app_config() -> dict:
    return {"STATS_OPEN_DATA_TTL": 0}  # /statistiques.json computed at each request


# --- reading the figures -----------------------------------------------------------------------


def queries(france) -> list[str]:
    """No filter, a région, a cohort, one day, a month (not aligned on weeks)."""
    return [
        "",
        "region=Bretagne",
        f"cohorte={france.rennes.id}",
        f"cohorte={france.paris.id}",
        "du=2026-01-06&au=2026-01-06",
        "du=2026-01-01&au=2026-01-31",
    ]


def read_csv(response) -> list[dict]:
    assert response.status_code == 200
    return read_people_csv(response)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return re.sub(r'name="csrf_token"[^>]*', "", response.get_data(as_text=True))


def published(client, france, only: slice = slice(None), skip=("structures",)) -> dict:
    """Everything an admin or a visitor can read, table by table and filter by filter."""
    figures = {"open_data": client.get("/statistiques.json").get_json()}
    for query in queries(france)[only]:
        for name in EXPORTS:
            if name not in skip:
                url = f"/admin/statistiques/export/{name}.csv?{query}"
                figures[name, query] = read_csv(client.get(url))
        figures["territoires", query] = page(client, f"/admin/statistiques/territoires?{query}")
    return figures


def filters(france) -> list[Filters]:
    return [
        Filters(),
        Filters(region="Bretagne"),
        Filters(region="Île-de-France"),
        Filters(cohort=france.rennes.id),
        Filters(cohort=france.paris.id),
        Filters(start=WEEK_1_DAY, end=WEEK_1_DAY),
        Filters(start=date(2026, 1, 1), end=date(2026, 1, 31)),
        Filters(start=date(2026, 1, 7)),
    ]


def _rounded(value):
    """Floats compared to 1e-9: the same duration, summed by SQL or kept as a float."""
    return round(float(value), 9) if isinstance(value, float) or hasattr(value, "is_nan") else value


def raw(france, steps=services.STEPS) -> dict:
    """Every count behind the tables, exact (no secrecy), by filter."""
    figures = {}
    for f in filters(france):
        key = (f.start, f.end, f.region, f.cohort)
        public = services.funnel_by_public(f, None)
        median, n = services.median_days_to_certificate(f)
        figures[key] = {
            "semaines": _only(services.funnel_by_week(f), steps),
            "departements": _only(services.funnel_by_departement(f), steps),
            "profils": _only({row["key"]: row for row in public["profil"]}, steps),
            "cohortes": _only({row["key"]: row for row in public["cohorte"]}, steps),
            "certifications": services.certifications_by_week(f),
            "mediane": (_rounded(median) if median is not None else None, n),
            "positionnement": {
                (row["phase"], row["statement_id"]): {k: _rounded(v) for k, v in row.items()}
                for row in services.readiness(f)
            },
            "quiz": services.quiz_summary(f),
            "questions": {
                (row["module_slug"], row["question_id"]): row
                for row in services.question_results(f)
            },
        }
    return figures


def _only(groups: dict, steps) -> dict:
    return {key: {step: row[step] for step in steps} for key, row in groups.items()}


def erase(app, name: str) -> None:
    """The person logs in with their own client and erases their account through HTTP."""
    client = app.test_client()
    client.submit("/connexion", {"email": f"{name}@exemple.fr", "password": PASSWORD})
    response = client.submit("/mon-compte/supprimer", {"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()


# --- nothing changes ---------------------------------------------------------------------------

# Certified with a hidden listing; certified then revoked (a visible listing, not counted);
# started only; certified in another région and cohort; completed, not certified; never started.
UNLISTED = ["b5", "b6", "b7", "p1", "p2", "p6", "o1"]


@pytest.mark.parametrize("name", UNLISTED)
def test_an_erasure_changes_no_figure(app, admin_client, france, name):
    """Every raw count, by every filter; what is published, without and with a filter (the
    tables are built from those counts alone: the sign-up test reads them all)."""
    before_published, before_raw = published(admin_client, france, slice(0, 3)), raw(france)
    erase(app, name)
    assert db.session.scalar(select(User).where(User.email == f"{name}@exemple.fr")) is None
    assert published(admin_client, france, slice(0, 3)) == before_published
    assert raw(france) == before_raw
    # What keeps them: without the anonymous facts, the figures would drop.
    db.session.execute(ErasedLearner.__table__.delete())
    db.session.commit()
    assert raw(france) != before_raw


def test_a_listed_learner_leaves_the_annuaire_and_nothing_else(app, admin_client, france):
    """b1: certified, a visible listing, a quiz failed once, two readiness answers before."""
    other_steps = tuple(step for step in services.STEPS if step != "annuaire")
    before = raw(france, other_steps)
    listed = services.funnel_by_departement(Filters())["35"]["annuaire"]
    erase(app, "b1")
    assert raw(france, other_steps) == before
    assert services.funnel_by_departement(Filters())["35"]["annuaire"] == listed - 1


def test_the_erased_person_moves_to_other_structures(app, admin_client, france):
    """Their employer is not kept: the named structure loses them, the total does not."""
    before = read_csv(admin_client.get("/admin/statistiques/export/structures.csv"))
    erase(app, "b7")
    after = read_csv(admin_client.get("/admin/statistiques/export/structures.csv"))
    assert after[-1] == before[-1] and after[-1]["structure"] == "Ensemble"
    rennes = {row["key"]: row for row in services.funnel_by_public(Filters(), None)["structure"]}
    assert rennes["médiathèque de rennes"]["inscrits"] == 6  # 7 before
    assert sorted(row["structure"] for row in after) == sorted(row["structure"] for row in before)


def test_a_learner_who_signed_up_and_was_certified_is_still_counted(
    app, client, admin_client, france
):
    """Through the real paths: sign-up by HTTP, the course as a person follows it, the status."""
    learner = app.test_client()
    response = learner.submit(
        "/inscription",
        {
            "email": "claire.petit@exemple.fr", "password": PASSWORD, "confirm": PASSWORD,
            "first_name": "Claire", "last_name": "Petit-Unique", "profile": "mediateur",
            "structure": "Centre social des Minimes", "commune": "Toulouse", "departement": "31",
        },
    )  # fmt: skip
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "claire.petit@exemple.fr"))
    certify(user)
    traces = _identifiers(user)
    before_published, before_raw = published(admin_client, france), raw(france)
    assert before_published["open_data"]["totaux"]["certifies"] == 7  # six in France, and Claire

    done = learner.submit("/mon-compte/supprimer", {"password": PASSWORD, "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()

    assert published(admin_client, france) == before_published
    assert raw(france) == before_raw
    assert _rows_naming(traces) == []
    kept = db.session.scalars(select(ErasedLearner)).one()
    assert (kept.departement_code, kept.profile) == ("31", "mediateur")
    assert (kept.started, kept.completed, kept.certified) == (True, True, True)
    assert kept.certified_week.weekday() == 0  # a Monday: the week, not the moment
    assert db.session.scalar(select(ErasedQuizResult.passed)) == 1


# --- what is kept, what is not -----------------------------------------------------------------


def _identifiers(user: User) -> dict:
    return {
        "id": user.id,
        "texts": {user.email, user.pseudonym, user.registration, user.last_name},
    }


def _rows_naming(traces: dict) -> list:
    """Every row, of every table, that holds the person's id (in a column that points to an
    account) or any of their identifying texts."""
    found = []
    for table in db.metadata.sorted_tables:
        to_users = {
            column.name
            for column in table.columns
            if any(key.column.table.name == "users" for key in column.foreign_keys)
        }
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                points_to_them = column in to_users and value == traces["id"]
                if points_to_them or any(text in str(value) for text in traces["texts"]):
                    found.append((table.name, column))
    return found


def test_nothing_of_the_person_is_left_but_anonymous_facts(app, admin_client, france):
    traces = _identifiers(france.users["b1"])
    erase(app, "b1")
    assert _rows_naming(traces) == []
    kept = db.session.scalars(select(ErasedLearner)).one()
    assert kept.registered_on == WEEK_1_DAY  # the day, no time
    assert kept.certified_week == date(2026, 1, 12)  # certified on Friday 16 January
    assert kept.days_to_certificate == pytest.approx(10)
    assert (kept.departement_code, kept.profile, kept.certified) == ("35", "conseiller", True)
    cohorts = db.session.scalars(select(ErasedCohortMember.cohort_id)).all()
    assert cohorts == [france.rennes.id]
    answers = db.session.execute(select(ErasedReadiness.phase, ErasedReadiness.value)).all()
    assert sorted(answers) == [("final", 5), ("initial", 4)]  # the latest of each phase only
    quiz = db.session.execute(select(ErasedQuizResult.attempts, ErasedQuizResult.passed)).one()
    assert tuple(quiz) == (2, 1)
    questions = db.session.execute(
        select(ErasedQuestionResult.question_id, ErasedQuestionResult.correct)
    ).all()
    assert sorted(questions) == [("capitale", 2), ("pairs", 1), ("turc", 0)]


def test_the_anonymous_tables_have_no_column_that_could_name_someone():
    columns = {
        table.__tablename__: set(table.__table__.columns.keys())
        for table in (
            ErasedLearner,
            ErasedCohortMember,
            ErasedReadiness,
            ErasedQuizResult,
            ErasedQuestionResult,
        )
    }
    assert columns == {
        "erased_learners": {
            "id", "registered_on", "departement_code", "profile", "started", "completed",
            "certified", "certified_week", "days_to_certificate", "impact_until",
            "held_cafe_in_time",
        },
        "erased_cohort_members": {"erased_id", "cohort_id"},
        "erased_readiness": {"erased_id", "phase", "statement_id", "value"},
        "erased_quiz_results": {"erased_id", "module_slug", "attempts", "passed"},
        "erased_question_results": {"erased_id", "module_slug", "question_id", "answers", "correct"},
    }  # fmt: skip


def test_formateurs_and_admins_leave_nothing(app, client, login_as):
    login_as("formateur")
    response = client.submit("/mon-compte/supprimer", {"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert db.session.scalars(select(ErasedLearner)).all() == []


def test_if_the_facts_cannot_be_kept_nothing_is_erased(app, france, monkeypatch):
    """One transaction: a failure while keeping the facts leaves the account as it was."""

    def broken(*args):
        raise RuntimeError("panne")

    monkeypatch.setattr(erasure, "_cohorts", broken)
    with pytest.raises(RuntimeError):
        erase(app, "b5")
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "b5@exemple.fr")) is not None
    assert db.session.scalars(select(ErasedLearner)).all() == []


def test_a_deleted_cohort_takes_its_erased_members_with_it(app, admin_client, france):
    erase(app, "p1")
    db.session.delete(france.paris)
    db.session.commit()
    assert db.session.scalars(select(ErasedCohortMember)).all() == []
    assert db.session.scalars(select(ErasedLearner)).one().certified  # still counted nationally
