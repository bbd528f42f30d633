"""The next step of a certified animateur without a listing: joining the annuaire."""

from flask import url_for

from certificates import status

from . import services


def join_the_annuaire(user) -> dict | None:
    if status.status_of(user) != status.CERTIFIED or services.listing_of(user):
        return None
    return {
        "text": "Prochaine étape : rejoindre l'annuaire des animateurs, pour que l'on vous trouve.",
        "label": "Créer ma fiche dans l'annuaire",
        "url": url_for("annuaire.edit"),
    }
