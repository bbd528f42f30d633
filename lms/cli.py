"""`flask --app wsgi lms ...`: schema, demo data, accounts."""

import signal
import threading
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from .accounts import services as accounts
from .admin.services import set_role
from .departements import departement as departement_of
from .models import Role
from .xapi import outbox

lms = AppGroup("lms", help="Administration de Café IA Formation.")


@lms.command("init-db")
def init_db():
    """Crée ou met à jour le schéma de la base (migrations Alembic)."""
    upgrade()
    click.echo("Schéma à jour.")


@lms.command("demo")
def demo():
    """Charge les données de démonstration (idempotent)."""
    from .demo import load_demo

    if current_app.config["PRODUCTION"]:
        # The demo accounts share a published password: never on a real platform.
        raise click.ClickException("Les données de démonstration sont refusées en production.")

    created = load_demo()
    click.echo(f"Données de démonstration chargées ({created} compte(s) créé(s)).")


@lms.command("error-pages")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def error_pages(folder):
    """Écrit les pages d'erreur que le mandataire inverse (nginx) sert lui-même."""
    from .errors import write_static_pages

    with current_app.test_request_context("/"):  # rendered as for an anonymous visitor
        for path in write_static_pages(folder):
            click.echo(path)


@lms.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.APPRENANT.value)
@click.option("--first-name", default="Prénom")
@click.option("--last-name", default="Nom")
@click.option("--departement", default="75")
@click.password_option(help="Mot de passe (demandé s'il n'est pas donné).")
def create_user(email, role, first_name, last_name, departement, password):
    """Crée un compte avec un rôle."""
    if not departement_of(departement):
        raise click.ClickException(f"Département inconnu : {departement}.")
    if not 12 <= len(password) <= 128:
        raise click.ClickException("Le mot de passe doit compter entre 12 et 128 caractères.")
    try:
        user = accounts.create_user(
            email=email,
            password=password,
            role=role,
            first_name=first_name,
            last_name=last_name,
            profile="autre",
            structure="",
            commune="",
            departement_code=departement,
        )
    except accounts.EmailTaken:
        raise click.ClickException(f"Un compte existe déjà pour {email}.") from None
    click.echo(f"Compte {user.email} créé ({role}).")


@lms.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def set_role_command(email, role):
    """Attribue un rôle à un compte existant."""
    user = accounts.find_by_email(email)
    if not user:
        raise click.ClickException(f"Aucun compte pour {email}.")
    set_role(user, role)
    click.echo(f"{user.email} a désormais le rôle {role}.")


xapi = AppGroup("xapi", help="Déclarations xAPI.")
lms.add_command(xapi)


@xapi.command("forward")
@click.option("--loop", is_flag=True, help="Continuer indéfiniment au lieu d'une seule passe.")
@click.option("--interval", default=5.0, show_default=True, help="Pause entre deux passes (s).")
def xapi_forward(loop, interval):
    """Envoie au LRS les déclarations en attente (une passe, ou --loop)."""
    if not outbox.lrs_configured():
        raise click.ClickException("LRS_ENDPOINT n'est pas configuré : rien à envoyer.")
    if loop:
        # SIGTERM (systemd, docker stop): the batch under way ends, then the loop.
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        outbox.forward_continuously(interval, stopping)
        return
    try:
        report = outbox.forward_pass()
    except outbox.DatabaseUnavailable:
        raise click.ClickException(
            "La base de données est injoignable : rien n'a été perdu, relancez l'envoi plus tard."
        ) from None
    click.echo(
        f"{report.delivered} livrée(s), {report.rejected} refusée(s), "
        f"{outbox.pending_count()} en attente."
    )
