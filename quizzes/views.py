from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from courses import progress
from lms.extensions import db
from lms.params import database_int

from . import bp, services
from .grading import SubmissionError, field_name
from .models import QuizAttempt

SAVE_FOR_LATER = "plus-tard"  # the value of the « Enregistrer et finir plus tard » button


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
    """The attempt's questions, filled with the answers just sent (a refused submission) or
    else with those saved to finish later."""
    module = progress.catalogue().module(quiz.module_slug)
    draft = MultiDict(
        [(name, v) for name, values in services.draft_of(attempt).items() for v in values]
    )
    answers = request.form if request.method == "POST" else draft
    asked = services.asked(quiz, attempt)
    errors = error.errors if error else {}
    return render_template(
        "quizzes/quiz.html",
        page_title=("Erreur — " if error else "") + quiz.title,
        quiz=quiz,
        module=module,
        attempt=attempt,
        asked=asked,
        error=error,
        errors=errors,
        numbers={s.question.id: n for n, s in enumerate(asked, start=1)},
        answers=answers,
        answered=sum(
            any(k.split(".")[0] == field_name(s.question) for k in answers) for s in asked
        ),
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
    if request.form.get("action") == SAVE_FOR_LATER:
        return _save_for_later(quiz, attempt)
    try:
        services.submit(current_user, quiz, attempt, request.form)
    except SubmissionError as error:
        db.session.rollback()
        # The same open attempt, drawn again if it was of the former shape.
        return _quiz_page(quiz, services.current_attempt(current_user, quiz), error.status, error)
    except services.AlreadySubmitted:
        return _already_graded(quiz, attempt)
    return _to_result(quiz, attempt)


def _save_for_later(quiz, attempt):
    asked = services.asked(quiz, attempt)
    if asked is None:  # drawn again since: the page sent belongs to the former draw
        return redirect(url_for("quizzes.quiz", module_slug=quiz.module_slug))
    try:
        services.save_draft(attempt, asked, request.form)
    except services.AlreadySubmitted:
        return _already_graded(quiz, attempt)
    flash(
        "Vos réponses sont enregistrées : vous les retrouverez en revenant au quiz, "
        "tant que vous ne l'avez pas validé.",
        "success",
    )
    return redirect(url_for("courses.module", module_slug=quiz.module_slug))


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


def _asked_questions(quiz, attempt) -> list:
    """The questions an attempt asked: its draw, or for an attempt graded before question pools,
    the questions it answered."""
    asked = services.asked(quiz, attempt)
    if asked is not None:
        return [s.question for s in asked]
    return [q for q in quiz.questions if q.id in (attempt.answers or {})]


def _next_step(module) -> tuple[str, str]:
    """After a pass: the next module of the catalogue, or after the last one, the status page
    (the certificates feature's, when installed)."""
    modules = progress.catalogue().modules
    index = next(i for i, m in enumerate(modules) if m.slug == module.slug)
    if index + 1 < len(modules):
        following = modules[index + 1]
        return "Module suivant", url_for("courses.module", module_slug=following.slug)
    if "certificates.my_status" in current_app.view_functions:
        return "Voir mon statut", url_for("certificates.my_status")
    return "Tous les modules", url_for("courses.catalogue")


def _result_page(quiz, attempt):
    module = progress.catalogue().module(quiz.module_slug)
    return render_template(
        "quizzes/result.html",
        page_title=f"Résultat — {quiz.title}",
        quiz=quiz,
        attempt=attempt,
        questions=_asked_questions(quiz, attempt),
        module=module,
        next_step=_next_step(module) if attempt.passed else None,
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
        "draft": services.has_draft(user, module.slug),
    }


def _personal_attempts(user) -> list[dict]:
    return services.personal_rows(user)
