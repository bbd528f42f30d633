from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from courses import progress
from lms.extensions import db
from lms.params import database_int

from . import bp, services
from .grading import SubmissionError, field_name
from .models import QuizAttempt


def _quiz(module_slug: str):
    return services.quizzes().get(module_slug) or abort(404)


def _own_attempt(quiz, attempt_id) -> QuizAttempt:
    """Only the person's own attempts of this quiz exist for them: anything else is a 404."""
    attempt_id = database_int(str(attempt_id))  # from the form: « ² » or 10**20 are no id
    attempt = db.session.get(QuizAttempt, attempt_id) if attempt_id is not None else None
    if not attempt or attempt.user_id != current_user.id or attempt.module_slug != quiz.module_slug:
        abort(404)
    return attempt


def _quiz_page(quiz, attempt, status=200, error=None):
    module = progress.catalogue().module(quiz.module_slug)
    return render_template(
        "quizzes/quiz.html",
        page_title=quiz.title,
        quiz=quiz,
        module=module,
        attempt=attempt,
        error=error,
        answers=request.form,
        field_name=field_name,
        pass_mark=services.pass_mark(),
    ), status


@bp.get("/modules/<module_slug>/quiz")
@login_required
def quiz(module_slug):
    """Any logged-in person: the quiz, in the order drawn for their current attempt."""
    quiz = _quiz(module_slug)
    return _quiz_page(quiz, services.current_attempt(current_user, quiz))


@bp.post("/modules/<module_slug>/quiz")
@login_required
def submit(module_slug):
    """Any logged-in person: hand in their current attempt, graded on the server."""
    quiz = _quiz(module_slug)
    attempt = _own_attempt(quiz, request.form.get("attempt", ""))
    if attempt.submitted_at:
        return _already_graded(quiz, attempt)
    try:
        services.submit(current_user, quiz, attempt, request.form)
    except SubmissionError as error:
        db.session.rollback()
        return _quiz_page(quiz, attempt, error.status, str(error))
    except services.AlreadySubmitted:
        return _already_graded(quiz, attempt)
    return _to_result(quiz, attempt)


def _to_result(quiz, attempt):
    return redirect(url_for("quizzes.result", module_slug=quiz.module_slug, attempt_id=attempt.id))


def _already_graded(quiz, attempt):
    """A double click, a second tab, the back button: the attempt is graded once, and any later
    submit of it lands where the first did, on that grade. With other answers too: they are not
    graded (an attempt has one grade; a new try is a new attempt), and the flash says so."""
    flash(
        "Cette tentative a déjà été corrigée : voici le résultat enregistré. "
        "Pour recommencer, refaites le quiz.",
        "info",
    )
    return _to_result(quiz, attempt)


def _result_page(quiz, attempt):
    return render_template(
        "quizzes/result.html",
        page_title=f"Résultat — {quiz.title}",
        quiz=quiz,
        attempt=attempt,
        module=progress.catalogue().module(quiz.module_slug),
        pass_mark=services.pass_mark(),
        scores=services.scores_of(attempt),
    )


@bp.get("/modules/<module_slug>/quiz/tentatives/<int:attempt_id>")
@login_required
def result(module_slug, attempt_id):
    """Any logged-in person: the result of one of their attempts, explained."""
    quiz = _quiz(module_slug)
    attempt = _own_attempt(quiz, attempt_id)
    if not attempt.submitted_at:
        return redirect(url_for("quizzes.quiz", module_slug=module_slug))
    return _result_page(quiz, attempt)


def _module_panel(user, module):
    quiz = services.quizzes().get(module.slug)
    if not quiz:
        return None
    return {
        "quiz": quiz,
        "best": services.best_scores(user).get(module.slug),
        "passed": services.has_passed(user, module),  # the stored decision, not the rounded best
        "pass_mark": services.pass_mark(),
    }


def _personal_attempts(user) -> list[dict]:
    return services.personal_rows(user)
