"""The status actions a formateur or an admin takes on a person: validate, revoke, restore.

The admin page and the cohort page both call act(): the rule, the e-mail that follows a
certificate and every message shown live here, so the two pages cannot drift apart. A view
parses the form, calls act(), flashes what it returns or what StatusRefused says, and redirects.
"""

from flask import abort, flash, redirect
from flask_login import current_user

from . import status
from .events import announce
from .forms import ReasonForm

VALIDATE, REVOKE, RESTORE = "valider", "revoquer", "retablir"
ACTIONS = (VALIDATE, REVOKE, RESTORE)
NEEDS_REASON = (REVOKE, RESTORE)

# A request did first (a double click, a colleague): nothing to do, back to the page (303).
NOTHING_TO_DO = 303

DONE = {
    VALIDATE: "Validation enregistrée.",
    REVOKE: "Statut révoqué.",
    RESTORE: "Statut rétabli.",
}
ALREADY_VALIDATED = "Parcours déjà validé."
NOT_REQUIRED = (
    "La validation par un formateur n'est pas demandée sur cette plateforme : le statut est "
    "accordé dès que les critères sont remplis."
)
NOT_AWAITING = (
    "{name} n'est pas en attente de validation : seul un parcours dont tous les autres "
    "critères sont remplis peut être validé."
)
NOTHING_TO_REVOKE = "Cette personne n'a pas de statut d'animateur à révoquer."
NOTHING_TO_RESTORE = "Ce statut n'est pas révoqué : rien à rétablir."
REASON_REQUIRED = "Le motif est obligatoire."


class StatusRefused(Exception):
    """Nothing was changed: the message to show, and the HTTP status the page answers with.

    NOTHING_TO_DO (303) means a request came first: the view goes back to the page; any other
    code (400, 409, 422) means the view shows the page again with the message.
    """

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.message, self.code = message, code


class Outcome:
    """What the view flashes: the message and its category."""

    def __init__(self, message: str, category: str = "success"):
        self.message, self.category = message, category


def act(person, by, action: str, reason: str | None = None) -> Outcome:
    """Validate, revoke or restore `person`'s status as `by`; StatusRefused if nothing changed."""
    if action == VALIDATE:
        return _validate(person, by)
    if action not in NEEDS_REASON:
        raise ValueError(f"unknown status action: {action}")
    reason = (reason or "").strip()
    if not reason:
        raise StatusRefused(REASON_REQUIRED, 422)
    if action == REVOKE and not status.revoke(person, by, reason):
        raise StatusRefused(NOTHING_TO_REVOKE, NOTHING_TO_DO)
    if action == RESTORE and not status.restore(person, by, reason):
        raise StatusRefused(NOTHING_TO_RESTORE, NOTHING_TO_DO)
    return Outcome(DONE[action])


def _validate(person, by) -> Outcome:
    try:
        certificate = status.validate(person, by)
    except status.AlreadyValidated:  # a double click: where the first one led
        return Outcome(ALREADY_VALIDATED, "info")
    except status.ValidationNotRequired:
        raise StatusRefused(NOT_REQUIRED, 400) from None
    except status.NotAwaitingValidation:
        raise StatusRefused(NOT_AWAITING.format(name=person.full_name), 409) from None
    if certificate:
        announce(person, certificate)
    return Outcome(DONE[VALIDATE])


# --- the HTTP answer, the same on the admin page and on the cohort page ------------------------


def answer(person, action: str, back: str, page):
    """Parse the form, act, flash, redirect to `back`; `page(form, code)` shows the page again."""
    if action not in ACTIONS:
        abort(404)
    form = ReasonForm()
    if action in NEEDS_REASON and not form.validate_on_submit():
        return page(form, 422)
    try:
        outcome = act(person, current_user, action, form.reason.data)
    except StatusRefused as refusal:
        flash(refusal.message, "error")
        if refusal.code == NOTHING_TO_DO:
            return redirect(back), NOTHING_TO_DO
        return page(ReasonForm(), refusal.code)  # the message shows there, nothing was changed
    flash(outcome.message, outcome.category)
    return redirect(back)
