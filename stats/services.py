"""The figures, each from one SQL aggregate over the learners that the filters keep.

Nothing here loads people: every query groups and counts in the database, and each page runs
a fixed number of them, whatever the number of learners.

Learners who erased their account are still counted, through the anonymous facts kept for them
(stats.models, written by stats.erasure): each figure adds, to the aggregate of the accounts,
the same aggregate over those facts, so that a past figure never drops when someone leaves.
"""

from datetime import UTC, date, datetime, time, timedelta

from flask import g
from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
    update,
)
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
from .models import (
    ErasedCohortMember,
    ErasedLearner,
    ErasedQuestionResult,
    ErasedQuizResult,
    ErasedReadiness,
    FunnelModule,
    FunnelTally,
    LearnerFunnel,
    QuestionTally,
    QuizTally,
    ReadinessTally,
)

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
        where.append(User.departement_code.in_(_codes(filters.region)))
    if filters.cohort:
        members = select(CohortMember.user_id).where(CohortMember.cohort_id == filters.cohort)
        where.append(User.id.in_(members))
    return where


def _codes(region: str) -> list[str]:
    return [d.code for d in all_departements().values() if d.region == region]


def erased_conditions(filters: Filters) -> list:
    """The same filters over the anonymous facts of erased learners (all were apprenants)."""
    learner, where = ErasedLearner, []
    if filters.start:
        where.append(learner.registered_on >= filters.start)
    if filters.end:
        where.append(learner.registered_on <= filters.end)
    if filters.region:
        where.append(learner.departement_code.in_(_codes(filters.region)))
    if filters.cohort:
        members = select(ErasedCohortMember.erased_id).where(
            ErasedCohortMember.cohort_id == filters.cohort
        )
        where.append(learner.id.in_(members))
    return where


def erased_population(filters: Filters):
    return select(ErasedLearner.id).where(*erased_conditions(filters))


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


def erased_facts(filters: Filters):
    """The facts() of erased learners: the same flags, as they were at the erasure. Nobody is
    in the annuaire any more: that step counts the listings visible now."""
    learner = ErasedLearner
    return select(
        learner.id.label("erased_id"),
        learner.departement_code,
        learner.profile,
        learner.registered_on,
        _flag(learner.started.is_(True), "commence"),
        _flag(learner.completed.is_(True), "termine"),
        _flag(learner.certified.is_(True), "certifies"),
        literal_column("0").label("annuaire"),
    ).where(*erased_conditions(filters))


def _add_steps(into: dict, key, row) -> None:
    """Add a group's counts to the same group's, if any: accounts and erased learners."""
    steps = _steps(row)
    if key in into:
        into[key] = {step: into[key][step] + steps[step] for step in STEPS}
    else:
        into[key] = steps


def _counts(f) -> list:
    """The funnel's counts over a facts subquery."""
    return [
        func.count().label("inscrits"),
        *(func.coalesce(func.sum(f.c[step]), 0).label(step) for step in STEPS[1:]),
    ]


# --- the funnel's tally -------------------------------------------------------------------------
#
# For everybody, the funnel's figures are sums the database keeps (stats.models.FunnelTally,
# over one LearnerFunnel row per apprenant); filtered, they are counted from the rows.


def _funnel_catalogue_checked() -> None:
    if not g.get("funnel_catalogue_checked"):  # once a request
        funnel_catalogue_current()
        g.funnel_catalogue_checked = True


def funnel_catalogue_current() -> None:
    """The learner rows count « completed » against the modules of the catalogue this app
    serves. When it changed (a deployment): the new list, and the learners who opened a module
    recounted (the others started and completed nothing whatever the catalogue), once."""
    slugs = {module.slug for module in catalogue().modules}
    if set(db.session.scalars(select(FunnelModule.slug))) == slugs:
        return
    if _dialect() == "postgresql":  # the triggers' writer lock: one process rewrites it
        db.session.execute(text("SELECT pg_advisory_xact_lock(7342)"))
        if set(db.session.scalars(select(FunnelModule.slug))) == slugs:
            return db.session.rollback()
    db.session.execute(FunnelModule.__table__.delete())
    if slugs:
        db.session.execute(FunnelModule.__table__.insert(), [{"slug": s} for s in sorted(slugs)])
    # An update that changes nothing, for its triggers: they recount each learner it touches.
    db.session.execute(update(ModuleProgress).values(module_slug=ModuleProgress.module_slug))
    db.session.commit()


def _tallied(dimension: str):
    """Every apprenant's funnel, per group of a dimension: key and the steps' counts."""
    _funnel_catalogue_checked()
    tally = FunnelTally
    return select(
        tally.group_key.label("key"),
        tally.registered.label("inscrits"),
        tally.started.label("commence"),
        tally.completed.label("termine"),
        tally.certified.label("certifies"),
        tally.listed.label("annuaire"),
    ).where(tally.dimension == dimension, tally.registered != 0)


# --- the funnel, by place, by public -----------------------------------------------------------


def funnel_by_week(filters: Filters) -> dict[str, dict[str, int]]:
    """The funnel of the people who signed up each week: the weekly sign-ups, and (added up)
    the funnel of everybody."""
    f, e = facts(filters).subquery(), erased_facts(filters).subquery()
    week = week_of(f.c.created_at)
    # Accounts by week, erased learners by day (their week is found here): as text, so that
    # both halves of the union have one type.
    if filters.any:
        accounts = select(cast(week, String).label("day"), *_counts(f)).group_by(week)
    else:
        tally = _tallied("semaine").subquery()
        accounts = select(tally.c.key.label("day"), *(tally.c[step] for step in STEPS))
    erased = select(cast(e.c.registered_on, String), *_counts(e)).group_by(e.c.registered_on)
    weeks: dict[str, dict[str, int]] = {}
    for row in db.session.execute(union_all(accounts, erased)):  # a few hundred rows at most
        _add_steps(weeks, _monday_of(row.day), row)
    return weeks


def _monday_of(day: str) -> str:
    """The Monday of a day written as text ('YYYY-MM-DD…'), as monday() writes it."""
    day = date.fromisoformat(monday(day))
    return (day - timedelta(days=day.weekday())).isoformat()


def funnel_by_departement(filters: Filters) -> dict[str, dict[str, int]]:
    by_place = [
        select(f.c.departement_code.label("key"), *_counts(f)).group_by(f.c.departement_code)
        for f in (facts(filters).subquery(), erased_facts(filters).subquery())
    ]
    if not filters.any:
        by_place[0] = _tallied("departement")
    found: dict[str, dict[str, int]] = {}
    for row in db.session.execute(union_all(*by_place)):
        _add_steps(found, row.key, row)
    return found


def _steps(row) -> dict[str, int]:
    return {step: int(row._mapping[step]) for step in STEPS}


def funnel_by_public(filters: Filters, structures: int | None) -> dict[str, list[dict]]:
    """By profile, by structure (those of 5 people or more, the largest `structures`) and by
    cohort, in one query: the learners' facts are computed once and grouped three ways, then
    the erased learners' facts two ways."""
    accounts = (
        _counted_by_public(filters, structures) if filters.any else _tallied_by_public(structures)
    )
    rows = db.session.execute(union_all(*accounts, *_erased_by_public(filters)))
    found: dict[str, dict] = {"profil": {}, "structure": {}, "cohorte": {}}
    labels = {}
    for row in rows:  # a few hundred groups, already counted
        labels[row.kind, row.key] = row.label
        _add_steps(found[row.kind], row.key, row)
    return {
        kind: [{"key": key, "label": labels[kind, key], **steps} for key, steps in groups.items()]
        for kind, groups in found.items()
    }


def _counted_by_public(filters: Filters, structures: int | None) -> tuple:
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
    return by_profile, select(by_structure), by_cohort


def _tallied_by_public(structures: int | None) -> tuple:
    """The same three groupings of everybody, from the tally; a structure's label (its
    spelling that sorts first) read from the learner rows of the few structures shown."""
    profiles, cohorts = _tallied("profil").subquery(), _tallied("cohorte").subquery()
    counts = [profiles.c[step] for step in STEPS]
    by_profile = select(
        literal("profil").label("kind"), profiles.c.key, profiles.c.key.label("label"), *counts
    )
    tally = _tallied("structure").where(FunnelTally.registered >= 5)
    largest = tally.order_by(FunnelTally.registered.desc(), FunnelTally.group_key)
    largest = largest.limit(structures).subquery()
    key = LearnerFunnel.structure_key
    spellings = (
        select(key.label("key"), func.min(LearnerFunnel.structure).label("label"))
        .where(key.in_(select(largest.c.key)))
        .group_by(key)
        .subquery()
    )
    by_structure = (
        select(
            literal("structure"), largest.c.key, spellings.c.label, *(largest.c[s] for s in STEPS)
        )
        .join(spellings, spellings.c.key == largest.c.key)
        .order_by(largest.c.inscrits.desc(), largest.c.key)
        .subquery()
    )
    by_cohort = select(
        literal("cohorte"), cohorts.c.key, Cohort.name, *(cohorts.c[s] for s in STEPS)
    ).join(Cohort, cast(Cohort.id, String) == cohorts.c.key)
    return by_profile, select(by_structure), by_cohort


def _erased_by_public(filters: Filters) -> tuple:
    """Erased learners by profile and by cohort. Not by structure: their employer is not kept
    (a free text, that can name a one-person office); they count among « Autres structures »."""
    e = erased_facts(filters).cte("faits_effaces")
    counts = _counts(e)
    by_profile = select(
        literal("profil").label("kind"),
        e.c.profile.label("key"),
        e.c.profile.label("label"),
        *counts,
    ).group_by(e.c.profile)
    by_cohort = (
        select(literal("cohorte"), cast(Cohort.id, String), Cohort.name, *counts)
        .select_from(e)
        .join(ErasedCohortMember, ErasedCohortMember.erased_id == e.c.erased_id)
        .join(Cohort, Cohort.id == ErasedCohortMember.cohort_id)
        .group_by(Cohort.id, Cohort.name)
    )
    return by_profile, by_cohort


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
    week, erased_week = week_of(Certificate.issued_at), ErasedLearner.certified_week
    accounts = (
        select(cast(week, String), func.count())
        .join(User, User.id == Certificate.user_id)
        .where(Certificate.revoked_at.is_(None), *conditions(filters))
        .group_by(week)
    )
    if not filters.any:
        tally = _tallied("certification").subquery()
        accounts = select(tally.c.key, tally.c.certifies).where(tally.c.certifies != 0)
    erased = (
        select(cast(erased_week, String), func.count())
        .where(ErasedLearner.certified.is_(True), *erased_conditions(filters))
        .group_by(erased_week)
    )
    found: dict[str, int] = {}
    for week, count in db.session.execute(union_all(accounts, erased)):
        found[monday(week)] = found.get(monday(week), 0) + count
    return found


def days_between(start, end):
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def median_days_to_certificate(filters: Filters) -> tuple[float | None, int]:
    """The median of days from sign-up to certificate, and how many people it is taken over.

    Portable: number the durations in order, keep the middle one (or the middle two).
    """
    accounts = (
        select(days_between(User.created_at, Certificate.issued_at).label("days"))
        .join(User, User.id == Certificate.user_id)
        .where(Certificate.revoked_at.is_(None), *conditions(filters))
    )
    erased = select(ErasedLearner.days_to_certificate.label("days")).where(
        ErasedLearner.certified.is_(True), *erased_conditions(filters)
    )
    if not filters.any:
        return _indexed_median(erased)
    durations = union_all(accounts, erased).subquery()
    days = durations.c.days
    ranked = select(
        days,
        func.row_number().over(order_by=days).label("rank"),
        func.count().over().label("n"),
    ).subquery()
    middle = ranked.c.rank.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])
    median, n = db.session.execute(
        select(func.avg(ranked.c.days), func.max(ranked.c.n)).where(middle)
    ).one()
    return (float(median) if median is not None else None), int(n or 0)


def _indexed_median(erased) -> tuple[float | None, int]:
    """Everybody's median: every apprenant's delay is kept with their funnel row, indexed, so
    the database reads the delays in order up to the middle (one or two), not all of them."""
    days = LearnerFunnel.days_to_certificate
    durations = union_all(select(days.label("days")).where(days.is_not(None)), erased)
    # How many: the certified of the tally (a row per profile), and the erased learners.
    certified = select(func.coalesce(func.sum(FunnelTally.certified), 0))
    certified = certified.where(FunnelTally.dimension == "profil").scalar_subquery()
    n = certified + select(func.count()).select_from(erased.subquery()).scalar_subquery()
    middle = (
        durations.order_by(literal_column("days")).limit(2 - n % 2).offset((n - 1) // 2)
    ).subquery()
    median, count = db.session.execute(select(func.avg(middle.c.days), n)).one()
    return (float(median) if median is not None else None), int(count or 0)


# --- readiness ---------------------------------------------------------------------------------


def latest_answer():
    """The condition on ReadinessAnswer that keeps, of every answer, the ones that count: an
    answer counts when no later one exists for the same person, phase and statement."""
    answer, later = ReadinessAnswer, aliased(ReadinessAnswer)
    return ~exists().where(
        later.user_id == answer.user_id,
        later.phase == answer.phase,
        later.statement_id == answer.statement_id,
        or_(
            later.answered_at > answer.answered_at,
            and_(later.answered_at == answer.answered_at, later.id > answer.id),
        ),
    )


def _readiness_counts(answer, where: list, statement_id: str | None):
    """Respondents, people at 4 or 5 and the sum of the answers (the mean is taken once the
    accounts and the erased learners are added up): a query."""
    query = select(
        answer.phase,
        answer.statement_id,
        func.count().label("repondants"),
        func.coalesce(func.sum(case((answer.value >= READY, 1), else_=0)), 0).label("prets"),
        func.sum(answer.value).label("somme"),
    ).where(*where)
    if statement_id:
        query = query.where(answer.statement_id == statement_id)
    return query.group_by(answer.phase, answer.statement_id)


def _tallied_readiness(statement_id: str | None):
    """Every account's latest answers, from the tally the database keeps (stats.models)."""
    tally = ReadinessTally
    query = select(
        tally.phase,
        tally.statement_id,
        tally.respondents.label("repondants"),
        tally.ready.label("prets"),
        tally.total.label("somme"),
    )
    return query.where(tally.statement_id == statement_id) if statement_id else query


def readiness(filters: Filters, statement_id: str | None = None) -> list[dict]:
    """Per phase and statement: people who answered, people at 4 or 5, the mean.

    Every answer is kept and the latest counts; an erased learner's latest answers were kept.
    """
    erased = [ErasedReadiness.erased_id.in_(erased_population(filters))]
    if filters.any:
        accounts = [ReadinessAnswer.user_id.in_(population(filters)), latest_answer()]
        parts = [(_readiness_counts(ReadinessAnswer, accounts, statement_id), 1)]
    else:  # everybody: the tally of every account, less the few that are not learners
        others = [ReadinessAnswer.user_id.in_(_others()), latest_answer()]
        parts = [
            (_tallied_readiness(statement_id), 1),
            (_readiness_counts(ReadinessAnswer, others, statement_id), -1),
        ]
    parts.append((_readiness_counts(ErasedReadiness, erased, statement_id), 1))
    signed = (query.add_columns(literal_column(str(sign)).label("sign")) for query, sign in parts)
    found: dict[tuple, dict] = {}
    for row in db.session.execute(union_all(*signed)):
        key = (row.phase, row.statement_id)
        sums = found.setdefault(key, {"repondants": 0, "prets": 0, "somme": 0})
        for name in sums:
            sums[name] += row.sign * int(row._mapping[name])
    found = {key: sums for key, sums in found.items() if sums["repondants"]}
    return [
        {
            "phase": phase,
            "statement_id": statement,
            "repondants": sums["repondants"],
            "prets": sums["prets"],
            "moyenne": sums["somme"] / sums["repondants"],
        }
        for (phase, statement), sums in found.items()
    ]


# --- quizzes -----------------------------------------------------------------------------------
#
# Millions of answers: for everybody, checking the role of the author of each one would cost
# most of the time. Learners and the other accounts (formateurs, admins) are disjoint, so every
# count here — distinct people included — adds up: read all the accounts' counts from the
# tallies the database keeps (stats.models), take away the few others, and add the erased
# learners' counts (kept per quiz and per question). One query, a union of signed parts. A count function receives
# `scope(user_id column) -> condition or None` and gives its query.


def _others():
    return select(User.id).where(User.role != Role.APPRENANT)


def _narrow(query, condition):
    return query if condition is None else query.where(condition)


def _by_learners(count, erased, filters: Filters, key: tuple, counts: tuple, tallied) -> list[dict]:
    """`count(scope)` for the learners that the filters keep, plus `erased(filters)`;
    everybody's counts are `tallied`, the tally the database keeps (stats.models)."""
    if filters.any:
        parts = [(count(lambda user_id: user_id.in_(population(filters))), 1)]
    else:
        parts = [(tallied, 1), (count(lambda uid: uid.in_(_others())), -1)]
    parts.append((erased(filters), 1))
    signed = (query.add_columns(literal_column(str(sign)).label("sign")) for query, sign in parts)
    return _signed_sums(db.session.execute(union_all(*signed)), key, counts)


def _signed_sums(rows, key: tuple, counts: tuple) -> list[dict]:
    """Each group's counts, part by part, added or taken away; groups left with nobody go."""
    found: dict[tuple, dict] = {}
    for row in rows:  # one row per quiz or per question, and per part: a few hundred at most
        row = row._mapping
        zero = {**{k: row[k] for k in key}, **dict.fromkeys(counts, 0)}
        group = found.setdefault(tuple(row[k] for k in key), zero)
        for count in counts:
            group[count] += row["sign"] * int(row[count])
    return [group for group in found.values() if group[counts[0]]]


def _erased_scope(table, filters: Filters) -> list:
    """Which erased learners' rows of `table` count: all of them, or those the filters keep."""
    return [table.erased_id.in_(erased_population(filters))] if filters.any else []


def quiz_counts(scope):
    query = select(
        QuizAttempt.module_slug,
        func.count(QuizAttempt.user_id.distinct()).label("personnes"),
        func.count().label("tentatives"),
        func.coalesce(func.sum(case((QuizAttempt.passed.is_(True), 1), else_=0)), 0).label(
            "reussies"
        ),
    ).where(QuizAttempt.submitted_at.is_not(None))
    return _narrow(query, scope(QuizAttempt.user_id)).group_by(QuizAttempt.module_slug)


def _erased_quiz_counts(filters: Filters):
    result = ErasedQuizResult
    return (
        select(
            result.module_slug,
            func.count().label("personnes"),
            func.sum(result.attempts).label("tentatives"),
            func.sum(result.passed).label("reussies"),
        )
        .where(*_erased_scope(result, filters))
        .group_by(result.module_slug)
    )


def quiz_summary(filters: Filters) -> dict[str, dict]:
    """Per quiz: people who submitted an attempt, attempts, attempts passed."""
    key, counts = ("module_slug",), ("personnes", "tentatives", "reussies")
    tally = QuizTally
    tallied = select(
        tally.module_slug,
        tally.people.label("personnes"),
        tally.attempts.label("tentatives"),
        tally.passed.label("reussies"),
    )
    rows = _by_learners(quiz_counts, _erased_quiz_counts, filters, key, counts, tallied)
    return {row["module_slug"]: row for row in rows}


def question_counts(scope):
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
    return query.group_by(QuestionAnswer.module_slug, QuestionAnswer.question_id)


def _erased_question_counts(filters: Filters):
    result = ErasedQuestionResult
    return (
        select(
            result.module_slug,
            result.question_id,
            func.sum(result.answers).label("reponses"),
            func.sum(result.correct).label("justes"),
        )
        .where(*_erased_scope(result, filters))
        .group_by(result.module_slug, result.question_id)
    )


def question_results(filters: Filters) -> list[dict]:
    """Per question: answers given (every attempt) and answers right."""
    key, counts = ("module_slug", "question_id"), ("reponses", "justes")
    tally = QuestionTally
    tallied = select(
        tally.module_slug,
        tally.question_id,
        tally.answers.label("reponses"),
        tally.correct.label("justes"),
    )
    return _by_learners(question_counts, _erased_question_counts, filters, key, counts, tallied)
