"""The `reflexion` activity and « Mes notes »: one personal prompt per lesson, whose answer the
learner keeps in private notes (editable in the lesson, listed by lesson, downloadable,
erasable one by one or all at once; exported and erased with the account like every activity
answer). A note is nobody else's business: no statement, no statistics."""

from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import delete, select

from lms.exports import csv_response
from lms.extensions import db

from . import activities, bp, progress
from .models import ActivityAnswer

KIND = "reflexion"
FIELD = "note"
MAX_LENGTH = 5000
FIELDS = {"prompt", "hint"}


class ReflexionKind:
    name = KIND

    @staticmethod
    def validate(data: dict) -> None:
        unknown = set(data) - FIELDS
        if unknown:
            raise ValueError(f"champ(s) inconnu(s) : {', '.join(sorted(unknown))}")
        for name in FIELDS:
            if name in data and not (isinstance(data[name], str) and data[name].strip()):
                raise ValueError(f"champ « {name} » : un texte non vide")
        if "prompt" not in data:
            raise ValueError("champ « prompt » : obligatoire et manquant")

    @staticmethod
    def render(block, lesson, user) -> Markup:
        saved = activities.saved_answer(block, lesson, user)
        return Markup(
            render_template(
                "courses/activities/reflexion.html",
                block=block,
                saved=saved,
                action=activities.action_url(block, lesson),
                field=FIELD,
                max_length=MAX_LENGTH,
            )
        )

    @staticmethod
    def answered_anchor(block) -> str:
        return f"{block.anchor}-retour"

    @staticmethod
    def submit(block, lesson, user, form) -> None:
        text = (form.get(FIELD) or "").strip()
        if not text:
            raise activities.AnswerError(
                "Écrivez votre note avant de l'enregistrer (pour l'effacer, passez par « Mes notes »)."
            )
        if len(text) > MAX_LENGTH:
            raise activities.AnswerError(
                f"Votre note dépasse {MAX_LENGTH} caractères : raccourcissez-la."
            )
        activities.save_answer(block, lesson, user, {"text": text})


# --- « Mes notes » ------------------------------------------------------------------------------


@dataclass
class Note:
    id: int
    module: object
    lesson: object
    block: object
    text: str
    saved_at: datetime


def notes_of(user) -> list[Note]:
    """The person's notes, in the order of the training, on lessons that still ask them."""
    rows = db.session.scalars(select(ActivityAnswer).filter_by(user_id=user.id, kind=KIND)).all()
    found = {(r.module_slug, r.lesson_slug, r.block_id): r for r in rows}
    notes = []
    for module in progress.catalogue().modules:
        for lesson in module.lessons:
            for block in lesson.blocks:
                row = found.get((module.slug, lesson.slug, block.id))
                if row is not None and block.kind == KIND:
                    text = row.value.get("text", "")
                    notes.append(Note(row.id, module, lesson, block, text, row.answered_at))
    return notes


@bp.get("/mes-notes")
@login_required
def notes(error: str | None = None):
    """Any logged-in person: their own notes, by lesson."""
    return render_template(
        "courses/notes.html", page_title="Mes notes", notes=notes_of(current_user), error=error
    )


@bp.get("/mes-notes.csv")
@login_required
def notes_csv():
    """Any logged-in person: their own notes, as a spreadsheet."""
    rows = [
        {
            "module": note.module.title,
            "lecon": note.lesson.title,
            "question": note.block.data["prompt"],
            "note": note.text,
            "enregistree_le": note.saved_at,
        }
        for note in notes_of(current_user)
    ]
    columns = ["module", "lecon", "question", "note", "enregistree_le"]
    return csv_response(columns, rows, "mes-notes.csv")


@bp.post("/mes-notes/<int:note_id>/effacer")
@login_required
def erase_note(note_id):
    """Any logged-in person: one of their own notes erased (another's is not found)."""
    erased = db.session.execute(
        delete(ActivityAnswer).filter_by(id=note_id, user_id=current_user.id, kind=KIND)
    ).rowcount
    if not erased:
        abort(404, "Cette note n'existe pas, ou plus.")
    db.session.commit()
    flash("Note effacée.", "success")
    return redirect(url_for("courses.notes"))


@bp.post("/mes-notes/effacer")
@login_required
def erase_notes():
    """Any logged-in person: all their notes erased, once they tick the confirmation."""
    if request.form.get("confirmer") != "oui":
        message = "Cochez la case de confirmation pour effacer toutes vos notes."
        return notes(error=message), 422
    erased = db.session.execute(
        delete(ActivityAnswer).filter_by(user_id=current_user.id, kind=KIND)
    ).rowcount
    db.session.commit()
    flash(_erased_message(erased), "success")
    return redirect(url_for("courses.notes"))


def _erased_message(count: int) -> str:
    if not count:
        return "Vous n'aviez aucune note."
    return "Votre note a été effacée." if count == 1 else f"Vos {count} notes ont été effacées."


def demo_note(find_user) -> None:
    """The demo learner kept a note on the first lesson that asks for one."""
    learner = find_user("apprenant@exemple.fr")
    lesson, block = next(
        (
            (lesson, b)
            for lesson in progress.catalogue().lessons()
            for b in lesson.blocks
            if b.kind == KIND
        ),
        (None, None),
    )
    if block is None or activities.saved_answer(block, lesson, learner):
        return
    text = (
        "HAL, l'ordinateur de « 2001 : l'Odyssée de l'espace ». De la fiction : il a une volonté "
        "propre, ce qu'aucun système réel n'a."
    )
    activities.save_answer(block, lesson, learner, {"text": text})
    db.session.commit()
