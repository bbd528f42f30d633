"""The public annuaire of certified animateurs: opt-in listings, search, map, open data.

A package of its own rather than part of lms/: it builds on the certificates feature (only a
certified animateur is listed), and the platform never depends on a feature.
"""

from flask import Blueprint, Flask

from lms import hooks, navigation

bp = Blueprint("annuaire", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from . import demo, guidance, views

    app.register_blueprint(bp)
    navigation.add_entry(app, "annuaire.search", "L'annuaire des animateurs", order=40)
    hooks.connect(app, hooks.STATUS, views._status_panel, template="annuaire/_status_panel.html")
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        views._personal_listing,
        section="annuaire",
        tables=("annuaire_listings",),
    )
    hooks.connect(app, hooks.NEXT_STEP, guidance.join_the_annuaire, order=40)
    hooks.connect(app, hooks.DEMO_DATA, demo.listings, order=40)
    hooks.connect(app, hooks.CERTIFIED_NOTICE, views.join_invitation)
