"""Local référents: a territory (a région, or départements) given by an admin to a person who
keeps their role; they see its animateurs, cafés and reach, moderate its cafés and write to
its animateurs. It builds on the agenda (cafes) and the annuaire."""

from flask import Blueprint, Flask

from lms import hooks, navigation

bp = Blueprint("referents", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from . import demo, models, services, views  # noqa: F401 — models: the tables

    app.register_blueprint(bp)
    navigation.add_entry(
        app, "referents.territory", "Mon territoire", order=47, shown_to=services.is_referent
    )
    # The menu asks on every page.
    hooks.connect(app, hooks.USER_FACT, services.holds_territory, name="referent")
    hooks.connect(
        app, hooks.DASHBOARD, views._dashboard_panel, template="referents/_dashboard_panel.html"
    )
    hooks.connect(
        app, hooks.ADMIN_LINKS, None, endpoint="referents.admin", label="Référents locaux"
    )
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        services.personal_data,
        section="referent_local",
        tables=("referent_territories", "referent_messages"),
    )
    hooks.connect(app, hooks.DEMO_DATA, demo.referent, order=60)
