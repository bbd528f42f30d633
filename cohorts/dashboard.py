"""The cohort dashboard: every learner's progress, loaded in a fixed number of queries.

Each query groups over the cohort's members; Python only arranges the grouped rows, so the
number of queries does not grow with the cohort.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from certificates import readiness, status
from certificates.models import ReadinessAnswer
from courses import progress
from courses.models import LessonProgress, ModuleProgress
from lms.extensions import db
from lms.models import User, as_utc, utcnow
from lms.xapi.models import StoredStatement
from lms.xapi.recorder import activity_iri
from lms.xapi.vocabulary import VERBS
from quizzes import results

from .models import CohortMember

STUCK_AFTER = timedelta(days=14)


@dataclass
class Row:
    user: User
    joined_at: datetime
    modules: dict[str, str] = field(
        default_factory=dict
    )  # slug -> not_started | in_progress | done
    best: dict[str, float] = field(default_factory=dict)  # slug -> best quiz score
    lessons_done: int = 0
    initial: int | None = None
    final: int | None = None
    status: str = status.IN_TRAINING
    last_activity: datetime | None = None

    @property
    def never_started(self) -> bool:
        return self.last_activity is None

    @property
    def stuck(self) -> bool:
        """Inactive: never started (joining is no activity), or nothing for STUCK_AFTER."""
        return self.never_started or as_utc(self.last_activity) < utcnow() - STUCK_AFTER

    @property
    def idle_days(self) -> int | None:
        return None if self.never_started else (utcnow() - as_utc(self.last_activity)).days


def _members(cohort_id):
    return select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)


def _grouped(statement, cohort_id):
    return db.session.execute(
        statement.where(statement.selected_columns[0].in_(_members(cohort_id)))
    ).all()


def load(cohort) -> list[Row]:
    """One row per learner, in 11 queries whatever the size of the cohort."""
    members = db.session.execute(
        select(User, CohortMember.joined_at)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort.id)
    ).all()
    rows = {user.id: Row(user, joined) for user, joined in members}
    cid = cohort.id
    lessons = _grouped(
        select(
            LessonProgress.user_id,
            LessonProgress.module_slug,
            func.count(),
            func.count(LessonProgress.completed_at),
        ).group_by(LessonProgress.user_id, LessonProgress.module_slug),
        cid,
    )
    completed = _grouped(
        select(ModuleProgress.user_id, ModuleProgress.module_slug).where(
            ModuleProgress.completed_at.is_not(None)
        ),
        cid,
    )
    best = results.best_scores(_members(cid))
    key = readiness.readiness().key_statement
    answers = _grouped(
        select(ReadinessAnswer.user_id, ReadinessAnswer.phase, ReadinessAnswer.value)
        .where(ReadinessAnswer.statement_id == key)
        .order_by(ReadinessAnswer.answered_at, ReadinessAnswer.id),
        cid,
    )
    activity = _grouped(
        select(StoredStatement.user_id, func.max(StoredStatement.stored))
        .where(*learning_events())
        .group_by(StoredStatement.user_id),
        cid,
    )

    for user_id, slug, seen, done in lessons:
        rows[user_id].modules[slug] = progress.IN_PROGRESS if seen else progress.NOT_STARTED
        rows[user_id].lessons_done += done
    for user_id, slug in completed:
        rows[user_id].modules[slug] = progress.DONE
    for user_id, slug, score in best:
        rows[user_id].best[slug] = score
    for user_id, phase, value in answers:  # in time order: the latest answer wins
        setattr(rows[user_id], phase, value)
    for user_id, moment in activity:
        rows[user_id].last_activity = moment
    # The status comes from the one eligibility rule, in its bulk form: never re-derived here.
    for user_id, value in status.statuses(list(rows)).items():
        rows[user_id].status = value
    return list(rows.values())


# What a learner does: a lesson seen or completed, a module, a quiz attempted or handed in,
# the readiness answered. Not signing up or joining, and not the statements of the status
# (granted, validated, revoked: a formateur's or the platform's doing, not the learner's).
LEARNING_VERBS = [
    VERBS[name][0]
    for name in (
        "launched",
        "initialized",
        "experienced",
        "progressed",
        "completed",
        "answered",
        "attempted",
        "passed",
        "failed",
    )
]


def learning_events() -> list:
    return [
        StoredStatement.verb.in_(LEARNING_VERBS),
        StoredStatement.object_id.not_like(activity_iri("statut-animateur") + "%"),
    ]


def totals(rows: list[Row]) -> dict[str, int]:
    certified = {status.CERTIFIED, status.RESTORED}
    return {
        "inscrits": len(rows),
        "actifs": sum(not row.stuck for row in rows),
        "termines": sum(
            all(row.modules.get(m.slug) == progress.DONE for m in progress.catalogue().modules)
            for row in rows
        ),
        "certifies": sum(row.status in certified for row in rows),
    }


NEVER = datetime.min.replace(tzinfo=UTC)  # sorts « jamais commencé » before any date

SORTS = {
    "nom": lambda row: (row.user.last_name.lower(), row.user.first_name.lower()),
    "activite": lambda row: as_utc(row.last_activity) if row.last_activity else NEVER,
    "progression": lambda row: row.lessons_done,
    "statut": lambda row: row.status,
}
FILTERS = {
    "bloques": lambda row: row.stuck,
    "jamais-commence": lambda row: row.never_started,
    "a-valider": lambda row: row.status == status.ELIGIBLE,
}


def arrange(rows: list[Row], filter_name: str, sort: str, descending: bool) -> list[Row]:
    if filter_name in FILTERS:
        rows = [row for row in rows if FILTERS[filter_name](row)]
    return sorted(rows, key=SORTS.get(sort, SORTS["nom"]), reverse=descending)


def to_remind(cohort) -> list[User]:
    """The learners a reminder is for: inactive (never started, or nothing for two weeks),
    and neither certified nor revoked."""
    return [
        row.user
        for row in load(cohort)
        if row.stuck and row.status not in (status.CERTIFIED, status.REVOKED)
    ]
