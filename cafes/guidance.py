"""The next step of a certified animateur: announcing a café in the agenda."""

from flask import url_for

from . import services


def announce_a_cafe(user) -> dict | None:
    if not services.can_announce(user):
        return None
    if services.cafes_of(user.id, past=False):
        return {
            "text": "Prochaine étape : préparer vos prochains Cafés IA.",
            "label": "Voir mes Cafés IA",
            "url": url_for("cafes.mine"),
        }
    return {
        "text": "Prochaine étape : annoncer votre premier Café IA dans l'agenda.",
        "label": "Annoncer un Café IA",
        "url": url_for("cafes.announce"),
    }
