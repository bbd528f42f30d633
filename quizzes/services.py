"""Attempts: started, submitted, graded; each step records its statements in the same commit."""

from flask import current_app
from sqlalchemy import func, select, update

from courses import progress
from lms import hooks
from lms.concurrency import claim, retry_on_conflict
from lms.extensions import db
from lms.models import utcnow
from lms.xapi import record
from lms.xapi.vocabulary import EXTENSIONS

from . import draw, grading, statements
from .bank import Quiz
from .models import QuestionAnswer, QuizAttempt


def quizzes() -> dict[str, Quiz]:
    return current_app.extensions["quizzes"]


def pass_mark() -> float:
    return current_app.config["QUIZ_PASS_MARK"]


def _layout(quiz: Quiz) -> dict:
    """The questions, orders and opaque values drawn for a new attempt (quizzes/draw.py)."""
    return draw.new_layout(quiz)


def asked(quiz: Quiz, attempt: QuizAttempt) -> list[draw.Shown] | None:
    """The questions the attempt asked, as it showed them; None for an attempt of the former
    shape (before question pools) or drawn from a bank that has changed since."""
    return draw.shown(quiz, attempt.layout)


def current_attempt(user, quiz: Quiz) -> QuizAttempt:
    """The attempt in progress, or a new one (recorded as « attempted »).

    One open attempt per person and quiz (a partial unique index): two tabs opening the quiz at
    once both try to create it; the one refused runs again and gets the other's attempt.
    """
    return retry_on_conflict(lambda: _open_attempt(user, quiz))


def _open_attempt(user, quiz: Quiz) -> QuizAttempt:
    attempt = db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user.id,
            QuizAttempt.module_slug == quiz.module_slug,
            QuizAttempt.submitted_at.is_(None),
        )
    )
    if attempt:
        if asked(quiz, attempt) is None:  # opened before pools, or the bank changed since
            attempt.layout = _layout(quiz)
            db.session.commit()
        return attempt
    attempt = QuizAttempt(user_id=user.id, module_slug=quiz.module_slug, layout=_layout(quiz))
    db.session.add(attempt)
    record(user, "attempted", statements.quiz_activity(quiz), parent=_module_activity(quiz))
    db.session.commit()
    return attempt


def _module_activity(quiz: Quiz):
    return progress.module_activity(progress.catalogue().module(quiz.module_slug))


class AlreadySubmitted(Exception):
    """Another request handed this attempt in first: this one changes nothing."""


def _claim(attempt: QuizAttempt, graded: list) -> None:
    """Write the grade only if no one has yet: one conditional UPDATE, first write of the commit.

    Two simultaneous POSTs both see the attempt open; the database lets only one UPDATE match,
    so the other's answers and statements are never written.
    """
    won = claim(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(
            score=grading.percentage(graded),
            passed=grading.passes(graded, pass_mark()),
            answers={g.question.id: g.response for g in graded},
            submitted_at=utcnow(),
        )
    )
    if not won:
        db.session.rollback()
        raise AlreadySubmitted
    db.session.refresh(attempt)  # the statements below read the grade just written


def submit(user, quiz: Quiz, attempt: QuizAttempt, form) -> QuizAttempt:
    """Grade and keep the attempt, answers and statements in one commit.

    Raises SubmissionError on a bad submission and AlreadySubmitted if the attempt was handed in
    meanwhile; either way nothing is stored.
    """
    questions = asked(quiz, attempt)
    if questions is None:
        raise grading.UnknownIdError(
            "Ce quiz a été mis à jour depuis que vous l'avez ouvert : rechargez la page."
        )
    if hasattr(form, "build"):  # answers built for whichever attempt they are given (demo.py)
        form = form.build(questions)
    graded = grading.grade(questions, form)
    # Completing the module may create its progress row, which a lesson finished at the same
    # moment may create too: the refused request runs again (its claim was rolled back).
    retry_on_conflict(lambda: _keep(user, quiz, attempt, graded))
    hooks.send(hooks.LEARNING_PROGRESSED, user=user)
    return attempt


def _keep(user, quiz: Quiz, attempt: QuizAttempt, graded: list) -> None:
    _claim(attempt, graded)
    quiz_activity = statements.quiz_activity(quiz)
    for g in graded:
        db.session.add(
            QuestionAnswer(
                attempt_id=attempt.id,
                module_slug=quiz.module_slug,
                question_id=g.question.id,
                score=g.score,
                correct=g.correct,
            )
        )
        record(
            user,
            "answered",
            statements.question_activity(quiz, g.question),
            result=statements.answer_result(g),
            parent=quiz_activity,
        )
    record(
        user,
        "passed" if attempt.passed else "failed",
        quiz_activity,
        result=statements.quiz_result(attempt.score, attempt.passed),
        parent=_module_activity(quiz),
        extensions={EXTENSIONS["masteryscore"]: pass_mark() / 100},
    )
    db.session.flush()
    if attempt.passed:
        progress.update_module_completion(user, progress.catalogue().module(quiz.module_slug))
    db.session.commit()


def save_draft(attempt: QuizAttempt, questions: list[draw.Shown], form) -> None:
    """Keep the answers given so far on the open attempt, to finish later (no check: a draft
    may be incomplete; only the attempt's own fields are kept). A submitted attempt is left as
    graded: raises AlreadySubmitted."""
    fields = grading.expected_fields(questions)
    kept = {name: [v for v in form.getlist(name) if v][:20] for name in fields if name in form}
    won = claim(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(layout={**attempt.layout, "draft": {k: v for k, v in kept.items() if v}})
    )
    if not won:
        db.session.rollback()
        raise AlreadySubmitted
    db.session.commit()


def has_draft(user, module_slug: str) -> bool:
    """Answers saved to finish later on the person's open attempt."""
    layout = db.session.scalar(
        select(QuizAttempt.layout).where(
            QuizAttempt.user_id == user.id,
            QuizAttempt.module_slug == module_slug,
            QuizAttempt.submitted_at.is_(None),
        )
    )
    return bool(draw.draft(layout))


def draft_of(attempt: QuizAttempt) -> dict[str, list[str]]:
    return draw.draft(attempt.layout)


def has_passed(user, module) -> bool:
    """Completion requirement for courses: the best attempt passes the module."""
    if module.slug not in quizzes():
        return True
    return bool(
        db.session.scalar(
            select(func.count()).where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.module_slug == module.slug,
                QuizAttempt.passed.is_(True),
            )
        )
    )


def best_scores(user) -> dict[str, float]:
    rows = db.session.execute(
        select(QuizAttempt.module_slug, func.max(QuizAttempt.score))
        .where(QuizAttempt.user_id == user.id)
        .group_by(QuizAttempt.module_slug)
    )
    return {slug: best for slug, best in rows if best is not None}


def question_stats(module_slug: str | None = None, user_ids=None) -> list[dict]:
    """Per question: answers and share answered right, weakest first (one GROUP BY)."""
    statement = select(
        QuestionAnswer.module_slug,
        QuestionAnswer.question_id,
        func.count().label("answers"),
        func.avg(func.cast(QuestionAnswer.correct, db.Integer)).label("right"),
    ).group_by(QuestionAnswer.module_slug, QuestionAnswer.question_id)
    if module_slug:
        statement = statement.where(QuestionAnswer.module_slug == module_slug)
    if user_ids is not None:
        statement = statement.join(QuizAttempt).where(QuizAttempt.user_id.in_(user_ids))
    rows = db.session.execute(statement).all()
    return sorted(
        ({"module": m, "question": q, "answers": n, "right": float(r)} for m, q, n, r in rows),
        key=lambda row: (row["right"], row["module"]),
    )


def scores_of(attempt: QuizAttempt) -> dict[str, float]:
    return dict(
        db.session.execute(
            select(QuestionAnswer.question_id, QuestionAnswer.score).where(
                QuestionAnswer.attempt_id == attempt.id
            )
        ).all()
    )


def personal_rows(user) -> list[dict]:
    attempts = db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id).order_by(QuizAttempt.started_at)
    )
    return [
        {
            "module": a.module_slug,
            "commencee": a.started_at.isoformat(),
            "corrigee": a.submitted_at.isoformat() if a.submitted_at else None,
            "score": a.score,
            "reussie": a.passed,
            "reponses": a.answers,
            # As kept: under the values this attempt's page showed (see draw.py).
            "brouillon": draw.draft(a.layout) or None,
        }
        for a in attempts
    ]
