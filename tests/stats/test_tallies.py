"""The readiness tally the database keeps (stats.models.ReadinessTally) against a recount.

Generated sequences of writes — answers given in any order of time, changed, deleted, accounts
erased with their answers by the cascade — and after each sequence the tally must equal the
count of every account's latest answers, made from the answers themselves.
"""

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from certificates.models import ReadinessAnswer
from lms.extensions import db
from lms.models import User
from stats import services
from stats.forms import Filters
from stats.models import ReadinessTally

PHASES = ("initial", "final")
STATEMENTS = ("animer", "expliquer")
PEOPLE = 3
START = datetime(2026, 1, 5, 9, 0)

answer = st.tuples(
    st.just("answer"),
    st.integers(0, PEOPLE - 1),
    st.sampled_from(PHASES),
    st.sampled_from(STATEMENTS),
    st.integers(1, 5),
    st.integers(0, 3),  # the hour: ties and answers older than the latest happen
)
change = st.tuples(st.just("change"), st.integers(0, 30), st.integers(1, 5), st.integers(0, 3))
move = st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(STATEMENTS))
remove = st.tuples(st.just("remove"), st.integers(0, 30))
erase = st.tuples(st.just("erase"), st.integers(0, PEOPLE - 1))
operations = st.lists(st.one_of(answer, answer, change, move, remove, erase), max_size=25)


def recount() -> dict[tuple, tuple]:
    """Every account's latest answer per phase and statement, counted from the answers."""
    a = ReadinessAnswer
    rows = db.session.execute(
        select(
            a.phase,
            a.statement_id,
            func.count(),
            func.sum((a.value >= services.READY).cast(db.Integer)),
            func.sum(a.value),
        )
        .where(services.latest_answer())
        .group_by(a.phase, a.statement_id)
    )
    return {(phase, s): (int(n), int(ready), int(total)) for phase, s, n, ready, total in rows}


def tallied() -> dict[tuple, tuple]:
    rows = db.session.scalars(select(ReadinessTally))
    found = {(t.phase, t.statement_id): (t.respondents, t.ready, t.total) for t in rows}
    return {key: counts for key, counts in found.items() if counts != (0, 0, 0)}


def person(name: str, role: str = "apprenant") -> User:
    return User(
        email=f"{name}@exemple.fr",
        first_name="T",
        last_name=name,
        profile="conseiller",
        structure="Médiathèque",
        commune="Rennes",
        departement_code="35",
        role=role,
    )


def make_people() -> list[User]:
    people = [person(f"t{i}") for i in range(PEOPLE)]
    db.session.add_all(people)
    db.session.commit()
    return people


def nth(index: int):
    ids = db.session.scalars(select(ReadinessAnswer.id).order_by(ReadinessAnswer.id)).all()
    return db.session.get(ReadinessAnswer, ids[index % len(ids)]) if ids else None


def run(steps: list[tuple], people: list[User]) -> None:
    for step in steps:
        kind, *args = step
        if kind == "answer":
            person, phase, statement, value, hour = args
            if people[person] is None:
                continue
            db.session.add(
                ReadinessAnswer(
                    user_id=people[person].id,
                    phase=phase,
                    statement_id=statement,
                    value=value,
                    answered_at=START + timedelta(hours=hour),
                )
            )
        elif kind == "change" and (row := nth(args[0])):
            row.value, row.answered_at = args[1], START + timedelta(hours=args[2])
        elif kind == "move" and (row := nth(args[0])):
            row.statement_id = args[1]
        elif kind == "remove" and (row := nth(args[0])):
            db.session.delete(row)
        elif kind == "erase" and people[args[0]] is not None:
            # The database's cascade takes the answers, as an erased account's.
            db.session.execute(delete(User).where(User.id == people[args[0]].id))
            people[args[0]] = None
        db.session.commit()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=operations)
def test_the_tally_equals_a_recount_after_any_writes(app, steps):
    db.session.execute(delete(User))
    db.session.execute(delete(ReadinessTally))
    db.session.commit()
    run(steps, make_people())
    assert tallied() == recount()


def test_the_national_figures_read_from_the_tally_equal_the_filtered_count(app):
    """Unfiltered, the page reads the tally; a filter that keeps everybody counts the answers:
    both give the same figures, a formateur's answers left out."""
    people = make_people()
    formateur = person("f", role="formateur")
    db.session.add(formateur)
    db.session.commit()
    run(
        [
            ("answer", 0, "initial", "animer", 2, 0),
            ("answer", 0, "initial", "animer", 5, 1),
            ("answer", 1, "initial", "animer", 4, 0),
            ("answer", 2, "final", "expliquer", 3, 2),
        ],
        people,
    )
    db.session.add(
        ReadinessAnswer(
            user_id=formateur.id, phase="initial", statement_id="animer", value=1, answered_at=START
        )
    )
    db.session.commit()
    everybody = Filters(start=START.date() - timedelta(days=3650))
    for statement in (None, "animer"):
        from_tally = sorted(services.readiness(Filters(), statement), key=repr)
        counted = sorted(services.readiness(everybody, statement), key=repr)
        assert from_tally == counted
    animer = {row["phase"]: row for row in services.readiness(Filters(), "animer")}
    assert (animer["initial"]["repondants"], animer["initial"]["prets"]) == (2, 2)
