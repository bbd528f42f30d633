"""`flask --app wsgi courses check`: the content (its activity blocks' kinds all registered),
and progress the content no longer has."""

import click

from . import activities, bp, progress


@bp.cli.command("check")
def check():
    """Vérifie le contenu et signale la progression sur des leçons disparues."""
    catalogue = progress.catalogue()
    click.echo(
        f"{len(catalogue.modules)} modules, {len(catalogue.lessons())} leçons : contenu valide."
    )
    unknown = activities.unknown_kinds()
    for lesson, block in unknown:
        click.echo(
            f"{lesson.path} : activité « {block.id} » de type « {block.kind} », "
            "qu'aucune fonction n'enregistre."
        )
    orphans = progress.orphaned_progress()
    for module_slug, lesson_slug, people in orphans:
        click.echo(
            f"Leçon disparue du contenu : {module_slug}/{lesson_slug} "
            f"({people} personne(s) y ont une progression)."
        )
    if orphans or unknown:
        raise SystemExit(1)
