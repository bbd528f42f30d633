"""Quiz results read by other features (a cohort's dashboard, a learner's page, its questions).

The quizzes feature owns its tables: a feature that shows results asks here instead of querying
QuizAttempt itself. Each function is one query whatever the number of people, so a caller that
counts its queries keeps its figure.
"""

from sqlalchemy import func, select

from lms.extensions import db

from .models import QuizAttempt

_SUBMITTED = QuizAttempt.submitted_at.is_not(None)


def best_scores(user_ids) -> list[tuple[int, str, float]]:
    """(person, module, best score) for the people in `user_ids` (a list or a subquery), in one
    query. Opening a quiz starts an attempt with no score: only graded attempts count."""
    return db.session.execute(
        select(QuizAttempt.user_id, QuizAttempt.module_slug, func.max(QuizAttempt.score))
        .where(QuizAttempt.user_id.in_(user_ids), _SUBMITTED, QuizAttempt.score.is_not(None))
        .group_by(QuizAttempt.user_id, QuizAttempt.module_slug)
    ).all()


def people_per_quiz(user_ids) -> dict[str, int]:
    """Module → how many of these people submitted its quiz at least once."""
    return dict(
        db.session.execute(
            select(QuizAttempt.module_slug, func.count(QuizAttempt.user_id.distinct()))
            .where(QuizAttempt.user_id.in_(user_ids), _SUBMITTED)
            .group_by(QuizAttempt.module_slug)
        ).all()
    )


def submitted_attempts(user) -> list[QuizAttempt]:
    """A person's submitted attempts, the latest first."""
    return db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user.id, _SUBMITTED)
        .order_by(QuizAttempt.submitted_at.desc())
    ).all()
