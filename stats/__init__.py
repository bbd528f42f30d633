"""National statistics for ANCT: aggregates only, from SQL, with the small-cell rule."""

from flask import Blueprint, Flask

from lms import hooks, navigation
from lms.models import Role

bp = Blueprint("stats", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Its anonymous facts are kept when an account is erased (ACCOUNT_ERASING)."""
    from . import demo, erasure, personal_data, reach_views, views  # noqa: F401  (views attach to bp)

    app.register_blueprint(bp)
    navigation.add_entry(app, "stats.overview", "Statistiques nationales", {Role.ADMIN}, order=70)
    hooks.connect(
        app, hooks.ADMIN_LINKS, None, endpoint="stats.overview", label="Statistiques nationales"
    )
    # First: the facts are read while the person's cafés and reports still name them.
    hooks.connect(app, hooks.ACCOUNT_ERASING, erasure.keep_anonymous_facts, order=10)
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        personal_data.funnel_row,
        section="statistiques_nationales",
        tables=personal_data.TABLES,
    )
    hooks.connect(app, hooks.DEMO_DATA, demo.national_learners)
    hooks.connect(app, hooks.DEMO_DATA, demo.national_reports)  # after the learners
    hooks.connect(
        app, hooks.COHORT_PAGE, reach_views.cohort_panel, template="stats/_cohort_panel.html"
    )
