"""`flask lti notes`: deliver the grade outbox to the platforms, as `flask xapi forward` does."""

import time

import click
from sqlalchemy import select

from lms.extensions import db

from . import bp, grades
from .models import Context
from .people import cohort_of

bp.cli.short_help = "LTI 1.3 : envoi des notes aux LMS."


@bp.cli.command("notes")
@click.option("--tout", is_flag=True, help="Recalculer d'abord les résultats de chaque personne.")
@click.option("--boucle", type=float, default=None, help="Recommencer toutes les N secondes.")
def deliver(tout: bool, boucle: float | None) -> None:
    """Envoie les notes en attente ; les échecs attendent leur nouvel essai."""
    while True:
        if tout:
            _requeue_everyone()
        report = grades.deliver_due()
        click.echo(
            f"{report['delivered']} envoyée(s), {report['rejected']} refusée(s), "
            f"{report['deferred']} en attente d'un nouvel essai"
        )
        if boucle is None:
            return
        time.sleep(boucle)


def _requeue_everyone() -> None:
    """A status changed by a formateur or an admin (revoked, restored) sends no
    LEARNING_PROGRESSED: this pass finds it."""
    from cohorts.models import CohortMember  # noqa: PLC0415
    from cohorts.services import member  # noqa: F401, PLC0415
    from lms.models import User  # noqa: PLC0415

    for context in db.session.scalars(select(Context).where(Context.lineitems_url.is_not(None))):
        cohort = cohort_of(context)
        people = db.session.scalars(
            select(User).join(CohortMember).where(CohortMember.cohort_id == cohort.id)
        )
        for person in people:
            grades.queue_changes(context, person)
