"""The first-password invitation of an account an import created.

Not the password reset: that one answers a request the person made themself, so it lasts an
hour. This one arrives unasked, from a formateur, and is read when the person finds the time
(a training starts in a week or two): it stays valid FIRST_PASSWORD_DAYS days, and says who
invites them, to which cohort and which training. It is spent once a password is chosen (the
account then has a password) and can be sent again by the cohort's formateurs.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lms.extensions import db
from lms.formatting import date_longue
from lms.models import User, utcnow
from lms.urls import absolute_url
from lms.xapi.recorder import TRAINING_NAME

from .models import Cohort

# Two weeks: enough for an invitation sent before a holiday or a training that starts later;
# short enough that a forgotten e-mail does not open the account for ever. A new one can be sent.
FIRST_PASSWORD_DAYS = 14


class LinkExpired(Exception):
    """A genuine link, older than FIRST_PASSWORD_DAYS."""


@dataclass(frozen=True)
class Welcome:
    user: User
    cohort: Cohort | None  # None: the cohort was deleted since


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="premier-mot-de-passe")


def max_age() -> int:
    return FIRST_PASSWORD_DAYS * 86400


def link(user: User, cohort: Cohort) -> str:
    token = _serializer().dumps({"id": user.id, "cohort": cohort.id})
    return absolute_url("cohorts.welcome", token=token)


def read(token: str) -> Welcome | None:
    """The account and cohort of a link; None for a forged link or a deleted account.
    Raises LinkExpired for a genuine link past its validity."""
    try:
        data = _serializer().loads(token, max_age=max_age())
    except SignatureExpired:
        raise LinkExpired from None
    except BadSignature:
        return None
    user = db.session.get(User, data.get("id"))
    if not user:
        return None
    return Welcome(user, db.session.get(Cohort, data.get("cohort")))


SUBJECT = "Café IA Formation : {inviter} vous invite dans la cohorte « {cohort} »"


def subject(cohort: Cohort, inviter) -> str:
    who = inviter.full_name if inviter else "Votre formateur ou formatrice"
    return SUBJECT.format(inviter=who, cohort=cohort.name)


def body(cohort: Cohort, inviter, user: User) -> str:
    who = inviter.full_name if inviter else "Un formateur ou une formatrice"
    until = date_longue(utcnow() + timedelta(seconds=max_age()))
    days = max_age() // 86400
    return (
        f"Bonjour {user.first_name},\n\n{who} vous a inscrit·e dans la cohorte "
        f"« {cohort.name} » de la formation « {TRAINING_NAME} » sur Café IA Formation. "
        f"Un compte a été créé pour vous à cette adresse.\n\n"
        f"Pour commencer, choisissez votre mot de passe en ouvrant ce lien (valable {days} "
        f"jours, jusqu'au {until}) :\n{link(user, cohort)}\n\n"
        "Les formateurs de la cohorte verront votre progression dans le parcours (modules, "
        "quiz, positionnement, statut) et pourront vous relancer ; vous pourrez quitter la "
        "cohorte depuis « Mes cohortes ».\n\nSi le lien a expiré, demandez à votre formateur "
        "ou formatrice de vous renvoyer l'invitation. Si vous ne connaissez pas cette "
        "personne, ignorez ce message : le compte reste inutilisable sans mot de passe.\n"
    )
