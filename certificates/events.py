"""The status follows learning: checked in the request that may complete the last criterion."""

import logging

from lms import hooks
from lms.mail import send_notice
from lms.urls import absolute_url

from . import status

log = logging.getLogger(__name__)


def grant_when_eligible(user) -> None:
    certificate = status.grant_if_eligible(user)
    if certificate:
        announce(user, certificate)


def announce(user, certificate) -> None:
    # What the features above add (the annuaire: how to join it), never named here.
    extra = "".join(filter(None, (line(user) for line in hooks.receivers(hooks.CERTIFIED_NOTICE))))
    send_notice(
        user.email,
        "Café IA Formation : vous êtes animateur·rice Café IA !",
        f"Bonjour {user.first_name},\n\nFélicitations : vous avez rempli toutes les conditions et "
        "obtenez le statut d'animateur·rice Café IA.\n\n"
        f"Votre attestation (PDF) : {absolute_url('certificates.certificate_pdf')}\n"
        f"Votre badge numérique (Open Badges 3.0) : {absolute_url('certificates.badge_download')}\n"
        "  C'est un fichier .jwt signé : ajoutez-le à un portefeuille numérique ou à un profil qui "
        "lit les Open Badges 3.0, citez-le dans votre CV ; chacun peut le contrôler sur "
        f"{absolute_url('certificates.badge_check')}\n"
        f"Page publique de vérification : {absolute_url('certificates.verify', code=certificate.code)}\n"
        + extra
        + "\nBons Cafés IA !\n",
        kind="statut accordé",
    )
