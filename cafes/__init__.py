"""The agenda of Cafés IA: certified animateurs announce their cafés, the public finds and
joins them without an account. It builds on certificates (who may announce) and on the
annuaire (co-animateurs, public names, the map)."""

from flask import Blueprint, Flask

from lms import hooks, navigation

bp = Blueprint(
    "cafes",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/cafes/static",
)


def init_app(app: Flask) -> None:
    # models: the tables, commands: the CLI, report_views: after the café,
    # plan_views: « Préparer mon premier café »
    from . import (  # noqa: F401
        commands,
        demo,
        guidance,
        models,
        personal_data,
        plan_views,
        plans,
        report_demo,
        report_views,
        reports,
        views,
    )

    app.register_blueprint(bp)
    navigation.add_entry(app, "cafes.agenda", "L'agenda des Cafés IA", order=45)
    hooks.connect(
        app, hooks.DASHBOARD, views._dashboard_panel, template="cafes/_dashboard_panel.html"
    )
    hooks.connect(
        app, hooks.DASHBOARD, plan_views._dashboard_panel, template="cafes/_plan_panel.html"
    )
    hooks.connect(app, hooks.MODULE, plan_views._module_panel, template="cafes/_plan_panel.html")
    hooks.connect(app, hooks.STATUS, views._dashboard_panel, template="cafes/_dashboard_panel.html")
    hooks.connect(app, hooks.LISTING, views._listing_panel, template="cafes/_listing_panel.html")
    hooks.connect(app, hooks.ACCOUNT_ERASING, views._account_erasing)
    hooks.connect(app, hooks.ACCOUNT_ERASING, reports.forget)
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        reports.personal_reports,
        section="cafes_ia_comptes_rendus",
        tables=("cafe_reports",),
    )
    hooks.connect(
        app, hooks.PERSONAL_DATA, views._personal_data, section="cafes_ia", tables=("cafes",)
    )
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        personal_data.personal_registrations,
        section="cafes_ia_participation",
        tables=personal_data.TABLES,
    )
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        plans.personal_plan,
        section="plan_de_cafe",
        tables=("cafe_plans",),
    )
    hooks.connect(
        app, hooks.ADMIN_LINKS, None, endpoint="cafes.moderation", label="Modérer les Cafés IA"
    )
    hooks.connect(app, hooks.NEXT_STEP, guidance.announce_a_cafe, order=50)
    hooks.connect(app, hooks.DEMO_DATA, demo.cafes, order=50)
    hooks.connect(app, hooks.DEMO_DATA, demo.plan, order=55)
    hooks.connect(app, hooks.DEMO_DATA, report_demo.reports_and_feedback, order=60)
