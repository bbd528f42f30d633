"""The training content and its engine: modules, lessons, progress and resume."""

from pathlib import Path

from flask import Blueprint, Flask

from lms import hooks, navigation

bp = Blueprint(
    "courses",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/modules",
)
CONTENT = Path(__file__).parent / "content"


@bp.record_once
def _load_content(state) -> None:
    # Loaded and checked once, at start-up: a broken module stops the platform here.
    from .content import load_catalogue

    root = Path(state.app.config.get("COURSES_CONTENT") or CONTENT)
    state.app.extensions["courses"] = load_catalogue(root)
    _report_orphaned_progress(state.app)


def _report_orphaned_progress(app) -> None:
    """Warn about progress on lessons the content no longer has, instead of hiding it.

    Counts only: no one is named. A database not reachable or not yet created (before
    `init-db`) is not an error here; `flask courses check` reports the same thing on demand.
    """
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from lms.extensions import db

    from . import progress
    from .models import LessonProgress

    with app.app_context():
        try:
            if not inspect(db.engine).has_table(LessonProgress.__tablename__):
                return
            orphans = progress.orphaned_progress()
        except SQLAlchemyError as error:
            app.logger.info("Progression non vérifiée au démarrage (base indisponible) : %s", error)
            return
        finally:
            db.session.remove()
            # No pooled connection survives into forked workers (gunicorn --preload).
            db.engine.dispose()
    for module_slug, lesson_slug, people in orphans:
        # The app's logger: Flask gives it a handler, so the warning reaches the server's log.
        app.logger.warning(
            "Leçon disparue du contenu : %s/%s (%d personne(s) y ont une progression). "
            "Lancez « flask courses check » ; rétablissez la leçon ou migrez la progression.",
            module_slug,
            lesson_slug,
            people,
        )


def init_app(app: Flask) -> None:
    """The blueprint (its CLI: `flask courses check`), the menu, the dashboard panel…"""
    from . import activities, cli, demo, figures, guidance, notes, personal_data, views  # noqa: F401  (cli and views attach to bp)

    app.register_blueprint(bp)
    activities.register(app, figures.FigureKind())
    navigation.add_entry(app, "courses.catalogue", "Les modules", order=30)
    from . import activities, manipulations  # the « manipulation » activity kind

    activities.register(app, manipulations.Kind)
    activities.register(app, notes.ReflexionKind)  # « Mes notes »: its routes are on bp
    hooks.connect(
        app, hooks.DASHBOARD, guidance.dashboard_panel, template="courses/_dashboard_panel.html"
    )
    from . import scenes  # the « scene » activity kind: a café that goes wrong

    scenes.register(app)
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        views._personal_progress,
        section="progression",
        tables=("lesson_progress",),
    )
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        personal_data.personal_modules,
        section="modules",
        tables=personal_data.TABLES,
    )
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        personal_data.personal_activities,
        section="activites",
        tables=personal_data.ACTIVITY_TABLES,
    )
    hooks.connect(app, hooks.DEMO_DATA, demo.learner_progress, order=10)
    hooks.connect(app, hooks.DEMO_DATA, notes.demo_note, order=30)
