"""When a learner erases their account, keep the anonymous facts the statistics count.

Each fact is read with the very query (services) that counts it for a living account, so an
erased learner weighs in every figure as they did the moment before: only the identifiers go.
Written in the erasure's own transaction (lms.hooks.ACCOUNT_ERASING): both or neither.
"""

from datetime import date

from sqlalchemy import select

from certificates.models import Certificate, ReadinessAnswer
from cohorts.models import CohortMember
from lms.extensions import db
from lms.models import Role, User, as_utc

from . import reach, services
from .forms import Filters
from .models import (
    ErasedCohortMember,
    ErasedLearner,
    ErasedQuestionResult,
    ErasedQuizResult,
    ErasedReadiness,
)


def keep_anonymous_facts(user: User) -> None:
    """Only learners are counted, so only theirs are kept."""
    if user.role != Role.APPRENANT:
        return
    learner = _learner(user)
    db.session.add(learner)
    db.session.flush()  # its id, for the rows below
    db.session.add_all(
        [
            *_cohorts(user, learner.id),
            *_readiness(user, learner.id),
            *_quizzes(user, learner.id),
            *_questions(user, learner.id),
        ]
    )
    db.session.flush()


def _learner(user: User) -> ErasedLearner:
    """The funnel's flags from services.facts; the certificate by the week the series show,
    and its delay from sign-up as the median computes it."""
    delay = services.days_between(User.created_at, Certificate.issued_at)
    row = db.session.execute(
        services.facts(Filters())
        .add_columns(
            services.week_of(Certificate.issued_at).label("certified_week"),
            delay.label("days"),
        )
        .where(User.id == user.id)
    ).one()
    certified = bool(row.certifies)
    impact_until, held_in_time = reach.impact_of(user.id)
    return ErasedLearner(
        registered_on=as_utc(user.created_at).date(),
        departement_code=user.departement_code,
        profile=user.profile,
        started=bool(row.commence),
        completed=bool(row.termine),
        certified=certified,
        certified_week=date.fromisoformat(services.monday(row.certified_week))
        if certified
        else None,
        days_to_certificate=float(row.days) if certified else None,
        impact_until=impact_until,
        held_cafe_in_time=held_in_time,
    )


def _cohorts(user: User, erased_id: int) -> list[ErasedCohortMember]:
    cohorts = db.session.scalars(
        select(CohortMember.cohort_id).where(CohortMember.user_id == user.id)
    )
    return [ErasedCohortMember(erased_id=erased_id, cohort_id=cohort) for cohort in cohorts]


def _readiness(user: User, erased_id: int) -> list[ErasedReadiness]:
    """The latest answer of each phase and statement, the only one counted: not when."""
    answer = ReadinessAnswer
    rows = db.session.execute(
        select(answer.phase, answer.statement_id, answer.value).where(
            answer.user_id == user.id, services.latest_answer()
        )
    )
    return [
        ErasedReadiness(erased_id=erased_id, phase=phase, statement_id=statement, value=value)
        for phase, statement, value in rows
    ]


def _only(user: User):
    return lambda user_id: user_id == user.id


def _quizzes(user: User, erased_id: int) -> list[ErasedQuizResult]:
    return [
        ErasedQuizResult(
            erased_id=erased_id,
            module_slug=row["module_slug"],
            attempts=int(row["tentatives"]),
            passed=int(row["reussies"]),
        )
        for row in db.session.execute(services.quiz_counts(_only(user))).mappings()
    ]


def _questions(user: User, erased_id: int) -> list[ErasedQuestionResult]:
    return [
        ErasedQuestionResult(
            erased_id=erased_id,
            module_slug=row["module_slug"],
            question_id=row["question_id"],
            answers=int(row["reponses"]),
            correct=int(row["justes"]),
        )
        for row in db.session.execute(services.question_counts(_only(user))).mappings()
    ]
