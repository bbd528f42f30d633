"""The status follows learning: checked in the request that may complete the last criterion."""

import logging

from werkzeug.routing import BuildError

from lms.mail import send_notice
from lms.urls import absolute_url

from . import status

log = logging.getLogger(__name__)


def grant_when_eligible(user) -> None:
    certificate = status.grant_if_eligible(user)
    if certificate:
        announce(user, certificate)


def _link(endpoint: str, **values) -> str | None:
    try:
        return absolute_url(endpoint, **values)
    except BuildError:  # a feature not installed yet (the annuaire)
        return None


def announce(user, certificate) -> None:
    annuaire = _link("annuaire.edit")
    send_notice(
        user.email,
        "Café IA Formation : vous êtes animateur·rice Café IA !",
        f"Bonjour {user.first_name},\n\nFélicitations : vous avez rempli toutes les conditions et "
        "obtenez le statut d'animateur·rice Café IA.\n\n"
        f"Votre attestation (PDF) : {_link('certificates.certificate_pdf')}\n"
        f"Votre badge numérique (Open Badges 3.0) : {_link('certificates.badge_download')}\n"
        f"Page publique de vérification : {_link('certificates.verify', code=certificate.code)}\n"
        + (f"Rejoindre l'annuaire des animateurs : {annuaire}\n" if annuaire else "")
        + "\nBons Cafés IA !\n",
        kind="statut accordé",
    )
