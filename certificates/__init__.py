"""Readiness, eligibility, the animateur status and its history, certificates and their checks."""

from flask import Blueprint, Flask

from lms import hooks

bp = Blueprint("certificates", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """The status follows learning (LEARNING_PROGRESSED); panels, personal data, demo."""
    from . import demo, events, views

    app.register_blueprint(bp)
    hooks.connect(app, hooks.LEARNING_PROGRESSED, events.grant_when_eligible)
    hooks.connect(
        app, hooks.DASHBOARD, views._dashboard_panel, template="certificates/_dashboard_panel.html"
    )
    hooks.connect(
        app, hooks.PERSONAL_DATA, views._personal_data, section="positionnement_et_statut"
    )
    hooks.connect(app, hooks.DEMO_DATA, demo.learner_readiness, order=30)
    hooks.connect(app, hooks.DEMO_DATA, demo.certified_animatrice, order=30)
