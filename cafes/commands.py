"""The daily work of the agenda, run by cron (deploy/cafes.cron): `flask cafes quotidien`."""

import click

from . import bp, reports, services


@bp.cli.command("rappels")
def reminders_command() -> None:
    """Remind the participants of tomorrow's cafés (once each, however often it runs)."""
    click.echo(f"{services.send_reminders()} rappel(s) envoyé(s)")


@bp.cli.command("tenus")
def held_command() -> None:
    """Record the « hosted » statement of each café that took place."""
    click.echo(f"{services.record_held()} café(s) tenu(s) enregistré(s)")


@bp.cli.command("effacer")
def erase_command() -> None:
    """Erase the participants of cafés held more than four weeks ago."""
    click.echo(f"{services.erase_past_participants()} inscription(s) effacée(s)")


@bp.cli.command("comptes-rendus")
def report_reminders_command() -> None:
    """Ask the animateurs of yesterday's cafés for their report (once each)."""
    click.echo(f"{reports.send_report_reminders()} demande(s) de compte rendu envoyée(s)")


@bp.cli.command("quotidien")
def daily_command() -> None:
    """All four, in order: what cron runs every morning."""
    click.echo(f"{services.send_reminders()} rappel(s) envoyé(s)")
    click.echo(f"{services.record_held()} café(s) tenu(s) enregistré(s)")
    click.echo(f"{services.erase_past_participants()} inscription(s) effacée(s)")
    click.echo(f"{reports.send_report_reminders()} demande(s) de compte rendu envoyée(s)")
