"""The figures, each from one SQL aggregate over the learners that the filters keep.

Nothing here loads people: every query groups and counts in the database, and each page runs
a fixed number of them, whatever the number of learners.
"""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import String, and_, case, cast, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from annuaire.models import Listing
from certificates.models import Certificate, ReadinessAnswer
from cohorts.models import Cohort, CohortMember
from courses.models import ModuleProgress
from courses.progress import catalogue
from lms.departements import all_departements
from lms.extensions import db
from lms.models import Role, User
from quizzes.models import QuestionAnswer, QuizAttempt

from .forms import Filters

# The steps of the funnel, in order: each is a flag of a learner (1 or 0).
STEPS = ("inscrits", "commence", "termine", "certifies", "annuaire")
READY = 4  # « 4 ou 5 » to a readiness statement: ready


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _midnight(day) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def conditions(filters: Filters) -> list:
    """Who is counted: apprenants, signed up in the period, in the région and the cohort."""
    where = [User.role == Role.APPRENANT]
    if filters.start:
        where.append(User.created_at >= _midnight(filters.start))
    if filters.end:
        where.append(User.created_at < _midnight(filters.end + timedelta(days=1)))
    if filters.region:
        codes = [d.code for d in all_departements().values() if d.region == filters.region]
        where.append(User.departement_code.in_(codes))
    if filters.cohort:
        members = select(CohortMember.user_id).where(CohortMember.cohort_id == filters.cohort)
        where.append(User.id.in_(members))
    return where


def population(filters: Filters):
    return select(User.id).where(*conditions(filters))


def facts(filters: Filters):
    """One row per learner counted, with a 0/1 flag for each step of the funnel.

    Started: opened a module. Completed: every module of the catalogue completed (lessons and
    quiz). Certified: holds a certificate that is not revoked. Listed: certified and visible in
    the annuaire.
    """
    slugs = [module.slug for module in catalogue().modules]
    modules = (
        select(ModuleProgress.user_id, func.count(ModuleProgress.completed_at).label("done"))
        .where(ModuleProgress.module_slug.in_(slugs))
        .group_by(ModuleProgress.user_id)
        .subquery()
    )
    valid = and_(Certificate.id.is_not(None), Certificate.revoked_at.is_(None))
    return (
        select(
            User.id.label("user_id"),
            User.departement_code,
            User.profile,
            User.structure,
            User.created_at,
            _flag(modules.c.user_id.is_not(None), "commence"),
            _flag(modules.c.done >= len(slugs), "termine"),
            _flag(valid, "certifies"),
            _flag(and_(valid, Listing.visible.is_(True)), "annuaire"),
        )
        .outerjoin(modules, modules.c.user_id == User.id)
        .outerjoin(Certificate, Certificate.user_id == User.id)
        .outerjoin(Listing, Listing.user_id == User.id)
        .where(*conditions(filters))
    )


def _flag(condition, name: str):
    return case((condition, 1), else_=0).label(name)


def _counts(f) -> list:
    """The funnel's counts over a facts subquery."""
    return [
        func.count().label("inscrits"),
        *(func.coalesce(func.sum(f.c[step]), 0).label(step) for step in STEPS[1:]),
    ]


# --- the funnel, by place, by public -----------------------------------------------------------


def funnel_by_week(filters: Filters) -> dict[str, dict[str, int]]:
    """The funnel of the people who signed up each week: the weekly sign-ups, and (added up)
    the funnel of everybody."""
    f = facts(filters).subquery()
    week = week_of(f.c.created_at)
    rows = db.session.execute(select(week.label("week"), *_counts(f)).group_by(week))
    return {monday(row.week): _steps(row) for row in rows}


def funnel_by_departement(filters: Filters) -> dict[str, dict[str, int]]:
    f = facts(filters).subquery()
    rows = db.session.execute(
        select(f.c.departement_code, *_counts(f)).group_by(f.c.departement_code)
    )
    return {row.departement_code: _steps(row) for row in rows}


def _steps(row) -> dict[str, int]:
    return {step: int(row._mapping[step]) for step in STEPS}


def funnel_by_public(filters: Filters, structures: int | None) -> dict[str, list[dict]]:
    """By profile, by structure (those of 5 people or more, the largest `structures`) and by
    cohort, in one query: the learners' facts are computed once and grouped three ways."""
    f = facts(filters).cte("faits")
    counts = _counts(f)
    by_profile = select(
        literal("profil").label("kind"),
        f.c.profile.label("key"),
        f.c.profile.label("label"),
        *counts,
    ).group_by(f.c.profile)
    key = func.lower(func.trim(f.c.structure))
    by_structure = (
        select(literal("structure"), key, func.min(f.c.structure), *counts)
        .group_by(key)
        .having(func.count() >= 5)
        .order_by(func.count().desc(), key)
        .limit(structures)
        .subquery()
    )
    by_cohort = (
        select(literal("cohorte"), cast(Cohort.id, String), Cohort.name, *counts)
        .select_from(f)
        .join(CohortMember, CohortMember.user_id == f.c.user_id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .group_by(Cohort.id, Cohort.name)
    )
    rows = db.session.execute(union_all(by_profile, select(by_structure), by_cohort))
    grouped = {"profil": [], "structure": [], "cohorte": []}
    for row in rows:  # a few hundred groups at most, already counted
        grouped[row.kind].append({"key": row.key, "label": row.label, **_steps(row)})
    return grouped


# --- over time ---------------------------------------------------------------------------------


def week_of(column):
    """The Monday (UTC) of the week, in each database's own words: read it with monday()."""
    if _dialect() == "postgresql":
        return func.date_trunc("week", func.timezone("UTC", column))
    return func.date(column, "weekday 0", "-6 days")


def monday(value) -> str:
    """'YYYY-MM-DD' from what week_of gives: a timestamp (PostgreSQL) or a text (SQLite)."""
    return str(value)[:10]


def certifications_by_week(filters: Filters) -> dict[str, int]:
    """Certificates still valid, by the week they were issued."""
    week = week_of(Certificate.issued_at)
    rows = db.session.execute(
        select(week, func.count())
        .join(User, User.id == Certificate.user_id)
        .where(Certificate.revoked_at.is_(None), *conditions(filters))
        .group_by(week)
    )
    return {monday(week): count for week, count in rows}


def _days_between(start, end):
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def median_days_to_certificate(filters: Filters) -> tuple[float | None, int]:
    """The median of days from sign-up to certificate, and how many people it is taken over.

    Portable: number the durations in order, keep the middle one (or the middle two).
    """
    days = _days_between(User.created_at, Certificate.issued_at)
    ranked = (
        select(
            days.label("days"),
            func.row_number().over(order_by=days).label("rank"),
            func.count().over().label("n"),
        )
        .join(User, User.id == Certificate.user_id)
        .where(Certificate.revoked_at.is_(None), *conditions(filters))
        .subquery()
    )
    middle = ranked.c.rank.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])
    median, n = db.session.execute(
        select(func.avg(ranked.c.days), func.max(ranked.c.n)).where(middle)
    ).one()
    return (float(median) if median is not None else None), int(n or 0)


# --- readiness ---------------------------------------------------------------------------------


def readiness(filters: Filters, statement_id: str | None = None) -> list[dict]:
    """Per phase and statement: people who answered, people at 4 or 5, the mean.

    Every answer is kept and the latest counts: an answer counts when no later one exists for
    the same person, phase and statement.
    """
    answer, later = ReadinessAnswer, aliased(ReadinessAnswer)
    superseded = exists().where(
        later.user_id == answer.user_id,
        later.phase == answer.phase,
        later.statement_id == answer.statement_id,
        or_(
            later.answered_at > answer.answered_at,
            and_(later.answered_at == answer.answered_at, later.id > answer.id),
        ),
    )
    query = (
        select(
            answer.phase,
            answer.statement_id,
            func.count().label("repondants"),
            func.coalesce(func.sum(case((answer.value >= READY, 1), else_=0)), 0).label("prets"),
            func.avg(answer.value).label("moyenne"),
        )
        .where(answer.user_id.in_(population(filters)), ~superseded)
        .group_by(answer.phase, answer.statement_id)
    )
    if statement_id:
        query = query.where(answer.statement_id == statement_id)
    return [dict(row._mapping) for row in db.session.execute(query)]


# --- quizzes -----------------------------------------------------------------------------------
#
# Millions of answers: for everybody, checking the role of the author of each one would cost
# most of the time. Learners and the other accounts (formateurs, admins) are disjoint, so every
# count here — distinct people included — adds up: count all the accounts in one pass over an
# index, then take away the few others. A count function receives
# `scope(user_id column) -> condition or None`.


def _others():
    return select(User.id).where(User.role != Role.APPRENANT)


def _narrow(query, condition):
    return query if condition is None else query.where(condition)


def _take_away(everybody: list[dict], others: list[dict], key: tuple, counts: tuple) -> list[dict]:
    """Aggregates of everybody minus those of the other accounts, group by group."""
    theirs = {tuple(row[k] for k in key): row for row in others}
    result = []
    for row in everybody:  # one row per quiz or per question: a few hundred at most
        other = theirs.get(tuple(row[k] for k in key))
        left = {**row, **{c: row[c] - (other[c] if other else 0) for c in counts}}
        if left[counts[0]]:
            result.append(left)
    return result


def _by_learners(count, filters: Filters, key: tuple, counts: tuple) -> list[dict]:
    """`count(scope)` for the learners that the filters keep."""
    if filters.any:
        return count(lambda user_id: user_id.in_(population(filters)))
    everybody = count(lambda user_id: None)
    others = count(lambda user_id: user_id.in_(_others()))
    return _take_away(everybody, others, key, counts)


def _quiz_counts(scope) -> list[dict]:
    query = select(
        QuizAttempt.module_slug,
        func.count(QuizAttempt.user_id.distinct()).label("personnes"),
        func.count().label("tentatives"),
        func.coalesce(func.sum(case((QuizAttempt.passed.is_(True), 1), else_=0)), 0).label(
            "reussies"
        ),
    ).where(QuizAttempt.submitted_at.is_not(None))
    query = _narrow(query, scope(QuizAttempt.user_id))
    rows = db.session.execute(query.group_by(QuizAttempt.module_slug))
    return [dict(row._mapping) for row in rows]


def quiz_summary(filters: Filters) -> dict[str, dict]:
    """Per quiz: people who submitted an attempt, attempts, attempts passed."""
    counts = ("personnes", "tentatives", "reussies")
    rows = _by_learners(_quiz_counts, filters, ("module_slug",), counts)
    return {row["module_slug"]: row for row in rows}


def _question_counts(scope) -> list[dict]:
    query = select(
        QuestionAnswer.module_slug,
        QuestionAnswer.question_id,
        func.count().label("reponses"),
        func.coalesce(func.sum(case((QuestionAnswer.correct.is_(True), 1), else_=0)), 0).label(
            "justes"
        ),
    )
    condition = scope(QuizAttempt.user_id)
    if condition is not None:
        query = query.where(QuestionAnswer.attempt_id.in_(select(QuizAttempt.id).where(condition)))
    rows = db.session.execute(
        query.group_by(QuestionAnswer.module_slug, QuestionAnswer.question_id)
    )
    return [dict(row._mapping) for row in rows]


def question_results(filters: Filters) -> list[dict]:
    """Per question: answers given (every attempt) and answers right."""
    key, counts = ("module_slug", "question_id"), ("reponses", "justes")
    return _by_learners(_question_counts, filters, key, counts)
