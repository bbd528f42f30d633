import json
from collections import OrderedDict

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from lms import hooks, navigation
from lms.concurrency import retry_on_conflict
from lms.extensions import db

from . import activities, bp, progress, sheets


def _find(module_slug: str, lesson_slug: str | None = None):
    module = progress.catalogue().module(module_slug) or abort(404)
    if lesson_slug is None:
        return module, None
    return module, module.lesson(lesson_slug) or abort(404)


@bp.get("/modules")
def catalogue():
    """Public: the modules; with the person's progress when logged in."""
    states = progress.overview(current_user) if current_user.is_authenticated else None
    return render_template(
        "courses/catalogue.html",
        page_title="Les modules",
        modules=progress.catalogue().modules,
        states=states,
    )


@bp.get("/modules/<module_slug>")
@login_required
def module(module_slug):
    """Any logged-in person: a module, its objectives and its lessons with their state."""
    module, _ = _find(module_slug)
    state = next(s for s in progress.overview(current_user) if s.module is module)
    return render_template(
        "courses/module.html",
        page_title=module.title,
        module=module,
        state=state,
        panels=hooks.render_panels(hooks.MODULE, current_user, module=module),
        sheet_size=sheets.pdf_size(module) if module.sheet else None,
    )


def _sheet_of(module_slug: str):
    module, _ = _find(module_slug)
    return module, module.sheet or abort(404)


@bp.get("/modules/<module_slug>/fiche")
@login_required
def sheet(module_slug):
    """Any logged-in person: the module's sheet in HTML, the text alternative of its PDF."""
    module, sheet = _sheet_of(module_slug)
    return render_template(
        "courses/fiche.html",
        page_title=f"Fiche du module {module.order}",
        module=module,
        sheet=sheet,
        sheet_size=sheets.pdf_size(module),
    )


@bp.get("/modules/<module_slug>/fiche.pdf")
@login_required
def sheet_pdf(module_slug):
    """Any logged-in person: the module's sheet, one printable A4 page (PDF/UA)."""
    module, _ = _sheet_of(module_slug)
    filename = f"fiche-module-{module.order}-{module.slug}.pdf"
    return Response(
        sheets.sheet_pdf(module),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/modules/<module_slug>/<lesson_slug>")
@login_required
def lesson(module_slug, lesson_slug):
    """Any logged-in person: a lesson; the visit is recorded (xAPI « experienced »)."""
    module, lesson = _find(module_slug, lesson_slug)
    # Its query says if it is done, and reads the answers the blocks show.
    done, answers = progress.read_lesson(current_user, module, lesson)
    return _lesson_page(module, lesson, done, answers)


def _lesson_page(module, lesson, done: bool, answers: dict | None = None) -> str:
    """The page; a reload with the same inputs serves the page drawn before (per process)."""
    key = _page_key(module, lesson, done, answers)
    pages = current_app.extensions.setdefault("lesson_pages", OrderedDict())  # per catalogue
    if key is not None and key in pages:
        pages.move_to_end(key)
        return activities.with_token(pages[key])
    page = _draw_lesson_page(module, lesson, done, answers)
    if key is not None:
        pages[key] = activities.without_token(page)
        if len(pages) > PAGES_KEPT:
            pages.popitem(last=False)
    return page


PAGES_KEPT = 256  # per process, ~35 kB each


def _page_key(module, lesson, done: bool, answers: dict | None) -> tuple | None:
    """Everything the page is drawn from besides the content (static while the platform
    runs): the person, their menu, the lesson's state and their answers. None when the page
    also shows this request's own (a message to flash, a refused answer, a query string),
    or on a first visit (the answers are read while drawing)."""
    if answers is None or request.args or g.get("activity_errors") or session.get("_flashes"):
        return None
    answered = json.dumps(answers, sort_keys=True, default=str)
    menu = tuple(navigation.navigation())
    return (module.slug, lesson.slug, done, current_user.id, answered, menu)


def _draw_lesson_page(module, lesson, done: bool, answers: dict | None) -> str:
    index = module.lessons.index(lesson)
    return render_template(
        "courses/lesson.html",
        page_title=lesson.title,
        module=module,
        lesson=lesson,
        body=activities.render_body(lesson, current_user, answers),
        done=done,
        previous=module.lessons[index - 1] if index else None,
        next=module.lessons[index + 1] if index + 1 < len(module.lessons) else None,
    )


@bp.post("/modules/<module_slug>/<lesson_slug>/activites/<block_id>")
@login_required
def activity(module_slug, lesson_slug, block_id):
    """Any logged-in person: an answer to one of the lesson's activity blocks (its kind's
    `submit`), then back to the block; a malformed answer is refused and nothing is saved."""
    module, lesson = _find(module_slug, lesson_slug)
    block = next((b for b in lesson.blocks if b.id == block_id), None)
    submit = getattr(activities.kinds().get(block.kind), "submit", None) if block else None
    if submit is None:
        abort(404, "Cette activité n'existe pas dans cette leçon, ou n'attend pas de réponse.")

    def answer():  # two tabs answering a block for the first time: one inserts, one updates
        submit(block, lesson, current_user, request.form)
        db.session.commit()

    try:
        retry_on_conflict(answer)
    except activities.AnswerError as error:
        db.session.rollback()
        activities.refuse(block, str(error))
        flash(str(error), "error")
        done = progress.is_done(current_user, module, lesson)
        return _lesson_page(module, lesson, done), error.status
    url = url_for("courses.lesson", module_slug=module.slug, lesson_slug=lesson.slug)
    return redirect(f"{url}#{activities.answered_anchor(block)}", code=303)


@bp.post("/modules/<module_slug>/<lesson_slug>/terminer")
@login_required
def complete(module_slug, lesson_slug):
    """Any logged-in person: « J'ai terminé cette leçon »."""
    module, lesson = _find(module_slug, lesson_slug)
    if progress.complete_lesson(current_user, module, lesson):
        flash(f"Leçon « {lesson.title} » terminée.", "success")
    index = module.lessons.index(lesson)
    if index + 1 < len(module.lessons):
        following = module.lessons[index + 1]
        return redirect(
            url_for("courses.lesson", module_slug=module.slug, lesson_slug=following.slug)
        )
    return redirect(url_for("courses.module", module_slug=module.slug))


@bp.get("/reprendre")
@login_required
def resume():
    """Any logged-in person: straight back to the lesson where they stopped."""
    if not progress.catalogue().modules:
        return redirect(url_for("courses.catalogue"))
    module, lesson = progress.resume_target(current_user)
    return redirect(url_for("courses.lesson", module_slug=module.slug, lesson_slug=lesson.slug))


def _dashboard_panel(user) -> dict:
    modules = progress.catalogue().modules
    target = progress.resume_target(user) if modules else None
    return {"states": progress.overview(user), "resume": target}


def _personal_progress(user) -> list[dict]:
    return progress.personal_rows(user)
