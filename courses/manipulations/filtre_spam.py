"""A spam filter's threshold: ten messages with the score a filter gave them; every message at
or above the threshold goes to the spam folder. The learner moves the threshold and sees the
four counts of the confusion table, and what they mean."""

from dataclasses import dataclass

from . import Manipulation, refuse, register


@dataclass(frozen=True)
class Message:
    subject: str
    spam: bool
    score: int  # the filter's score, 0 to 100, invented for the exercise


MESSAGES = [
    Message("Vous avez gagné un smartphone, réclamez-le avant ce soir", True, 97),
    Message("Votre colis est en attente : 1,99 € de frais de port à régler", True, 92),
    Message("Votre carte Vitale expire, confirmez vos coordonnées bancaires", True, 78),
    Message("Offre exclusive : montres de luxe à moins 70 %", True, 64),
    Message("Urgent : votre dossier de logement est incomplet", False, 60),
    Message("Convocation à votre rendez-vous France Travail", False, 55),
    Message("Rappel : facture impayée, cliquez ici pour éviter des poursuites", True, 45),
    Message("Votre attestation est disponible dans votre espace personnel", False, 38),
    Message("Invitation : Café IA jeudi à la médiathèque", False, 20),
    Message("Compte rendu du dernier conseil municipal", False, 8),
]
DEFAULT_THRESHOLD = 50


@dataclass(frozen=True)
class Counts:
    caught: int  # spam sent to the spam folder
    missed: int  # spam left in the inbox
    lost: int  # real mail sent to the spam folder
    kept: int  # real mail left in the inbox


def blocked(message: Message, threshold: int) -> bool:
    return message.score >= threshold


def counts(threshold: int) -> Counts:
    def number(spam: bool, is_blocked: bool) -> int:
        return sum(m.spam == spam and blocked(m, threshold) == is_blocked for m in MESSAGES)

    return Counts(
        number(True, True), number(True, False), number(False, True), number(False, False)
    )


def parse_threshold(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or not 0 <= int(value) <= 100:
        refuse("Le seuil doit être un nombre entier entre 0 et 100.")
    return int(value)


def state(fields, params) -> dict:
    threshold = parse_threshold(fields.get("seuil"), params.get("seuil", DEFAULT_THRESHOLD))
    return {
        "threshold": threshold,
        "counts": counts(threshold),
        "rows": [(m, blocked(m, threshold)) for m in sorted(MESSAGES, key=lambda m: -m.score)],
        "spam_total": sum(m.spam for m in MESSAGES),
        "mail_total": sum(not m.spam for m in MESSAGES),
    }


def _check_threshold(value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise ValueError("« seuil » doit être un nombre entier entre 0 et 100")


register(
    Manipulation(
        name="filtre-spam",
        template="filtre_spam.html",
        state=state,
        parameters={"seuil": _check_threshold},
    )
)
