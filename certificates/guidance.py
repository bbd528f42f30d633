"""What comes next for a person, as the status rule sees it (hooks.NEXT_STEP), and the facts the
status page needs to say what is missing in words: the final readiness not done yet is not
a lack of confidence."""

from flask import url_for
from sqlalchemy import func, select

from courses.models import LessonProgress
from lms.extensions import db

from . import readiness, status


def final_readiness_done(user) -> bool:
    return bool(readiness.latest(user)[readiness.FINAL])


def training_started(user) -> bool:
    query = select(func.count()).where(LessonProgress.user_id == user.id)
    return bool(db.session.scalar(query))


def next_step(user) -> dict | None:
    """After the lessons and quizzes: the final readiness, then the status page's news."""
    met = {c.key: c.met for c in status.criteria(user)}
    current = status.status_of(user)
    if current == status.REVOKED:
        return _to_status("Votre statut a été révoqué : voyez pourquoi et à qui en parler.")
    if current == status.CERTIFIED or not met.get("modules", False) or not met["quiz"]:
        return None  # the modules' quizzes speak first; a certified person's next steps follow
    if not final_readiness_done(user):
        return {
            "text": "Prochaine étape : votre positionnement final, cinq minutes pour dire "
            "où vous en êtes après les modules.",
            "label": "Faire mon positionnement final",
            "url": url_for("certificates.readiness_form"),
        }
    if not met["positionnement"]:
        return _to_status("Il vous manque la confiance pour animer : voici comment la gagner.")
    return _to_status("Votre parcours attend la validation de votre formateur ou formatrice.")


def certified_fallback(user) -> dict | None:
    """Last of all: a certified person's documents."""
    if status.status_of(user) != status.CERTIFIED:
        return None
    return _to_status("Votre attestation et votre badge numérique sont sur votre page de statut.")


def _to_status(text: str) -> dict:
    return {"text": text, "label": "Voir mon statut", "url": url_for("certificates.my_status")}
