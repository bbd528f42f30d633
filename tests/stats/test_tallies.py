"""The tallies the database keeps (stats.models: readiness, quizzes, questions) against a
recount.

Generated sequences of writes — readiness answers given in any order of time, changed, moved,
deleted; quiz attempts opened, handed in, deleted, their answers added and changed; accounts
erased with everything by the cascade — and after each sequence every tally must equal the
count made from the rows themselves.
"""

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from certificates.models import ReadinessAnswer
from lms.extensions import db
from lms.models import User
from quizzes.models import QuestionAnswer, QuizAttempt
from stats import services
from stats.forms import Filters
from stats.models import QuestionTally, QuizTally, ReadinessTally

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


# --- quizzes ---------------------------------------------------------------------------------

MODULES = ("module-un", "module-deux")
QUESTIONS = ("capitale", "pairs")

open_attempt = st.tuples(st.just("open"), st.integers(0, PEOPLE - 1), st.sampled_from(MODULES))
hand_in = st.tuples(st.just("hand_in"), st.integers(0, 30), st.booleans())
handed_in = st.tuples(
    st.just("handed_in"), st.integers(0, PEOPLE - 1), st.sampled_from(MODULES), st.booleans()
)
drop_attempt = st.tuples(st.just("drop_attempt"), st.integers(0, 30))
add_answer = st.tuples(
    st.just("add_answer"), st.integers(0, 30), st.sampled_from(QUESTIONS), st.booleans()
)
change_answer = st.tuples(
    st.just("change_answer"), st.integers(0, 30), st.sampled_from(QUESTIONS), st.booleans()
)
drop_answer = st.tuples(st.just("drop_answer"), st.integers(0, 30))
quiz_operations = st.lists(
    st.one_of(
        open_attempt, hand_in, handed_in, handed_in, drop_attempt, add_answer, add_answer,
        change_answer, drop_answer, erase,
    ),
    max_size=25,
)  # fmt: skip


def nth_of(model, index: int):
    ids = db.session.scalars(select(model.id).order_by(model.id)).all()
    return db.session.get(model, ids[index % len(ids)]) if ids else None


def run_quizzes(steps: list[tuple], people: list[User]) -> None:
    for kind, *args in steps:
        if kind in ("open", "handed_in") and people[args[0]] is not None:
            user_id, module = people[args[0]].id, args[1]
            submitted = kind == "handed_in"
            already_open = db.session.scalar(
                select(func.count()).where(
                    QuizAttempt.user_id == user_id,
                    QuizAttempt.module_slug == module,
                    QuizAttempt.submitted_at.is_(None),
                )
            )
            if submitted or not already_open:
                db.session.add(
                    QuizAttempt(
                        user_id=user_id,
                        module_slug=module,
                        layout={},
                        passed=args[2] if submitted else None,
                        submitted_at=START if submitted else None,
                    )
                )
        elif kind == "hand_in" and (attempt := nth_of(QuizAttempt, args[0])):
            attempt.submitted_at, attempt.passed = START, args[1]
        elif kind == "drop_attempt" and (attempt := nth_of(QuizAttempt, args[0])):
            db.session.execute(delete(QuizAttempt).where(QuizAttempt.id == attempt.id))
        elif kind == "add_answer" and (attempt := nth_of(QuizAttempt, args[0])):
            db.session.add(
                QuestionAnswer(
                    attempt_id=attempt.id,
                    module_slug=attempt.module_slug,
                    question_id=args[1],
                    score=1.0 if args[2] else 0.0,
                    correct=args[2],
                )
            )
        elif kind == "change_answer" and (answer := nth_of(QuestionAnswer, args[0])):
            answer.question_id, answer.correct = args[1], args[2]
        elif kind == "drop_answer" and (answer := nth_of(QuestionAnswer, args[0])):
            db.session.delete(answer)
        elif kind == "erase" and people[args[0]] is not None:
            db.session.execute(delete(User).where(User.id == people[args[0]].id))
            people[args[0]] = None
        db.session.commit()


def counted(query, key: tuple, counts: tuple) -> dict:
    rows = db.session.execute(query).mappings()
    found = {tuple(row[k] for k in key): tuple(int(row[c]) for c in counts) for row in rows}
    return {k: v for k, v in found.items() if any(v)}


def everybody(user_id):
    return None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=quiz_operations)
def test_the_quiz_tallies_equal_a_recount_after_any_writes(app, steps):
    db.session.execute(delete(User))
    db.session.execute(delete(QuizTally))
    db.session.execute(delete(QuestionTally))
    db.session.commit()
    run_quizzes(steps, make_people())
    quiz_keys, quiz_counts = ("module_slug",), ("personnes", "tentatives", "reussies")
    tally = select(
        QuizTally.module_slug,
        QuizTally.people.label("personnes"),
        QuizTally.attempts.label("tentatives"),
        QuizTally.passed.label("reussies"),
    )
    assert counted(tally, quiz_keys, quiz_counts) == counted(
        services.quiz_counts(everybody), quiz_keys, quiz_counts
    )
    keys, counts = ("module_slug", "question_id"), ("reponses", "justes")
    tally = select(
        QuestionTally.module_slug,
        QuestionTally.question_id,
        QuestionTally.answers.label("reponses"),
        QuestionTally.correct.label("justes"),
    )
    assert counted(tally, keys, counts) == counted(
        services.question_counts(everybody), keys, counts
    )
