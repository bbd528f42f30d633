"""Readiness, eligibility, the animateur status and its history, certificates and their checks."""

from flask import Blueprint, Flask

from lms import hooks

bp = Blueprint("certificates", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """The status follows learning (LEARNING_PROGRESSED); panels, personal data, demo."""
    from . import demo, events, guidance, personal_data, views

    if app.config.get("PRODUCTION"):
        _check_badge_keys(app.config)
    app.register_blueprint(bp)
    hooks.connect(app, hooks.LEARNING_PROGRESSED, events.grant_when_eligible)
    hooks.connect(
        app, hooks.DASHBOARD, views._dashboard_panel, template="certificates/_dashboard_panel.html"
    )
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        personal_data.personal_status,
        section="positionnement_et_statut",
        tables=personal_data.TABLES,
    )
    hooks.connect(app, hooks.NEXT_STEP, guidance.next_step, order=20)
    hooks.connect(app, hooks.NEXT_STEP, guidance.certified_fallback, order=90)
    hooks.connect(app, hooks.DEMO_DATA, demo.learner_readiness, order=30)
    hooks.connect(app, hooks.DEMO_DATA, demo.certified_animatrice, order=30)


def _check_badge_keys(config) -> None:
    """Production stops at start on a key that cannot sign or verify badges (an Ed25519 key left
    in BADGE_SIGNING_KEY after the move to RS256…), rather than failing at the first badge."""
    from . import badge

    try:
        badge.load_private_key(config["BADGE_SIGNING_KEY"])
        if config.get("BADGE_PREVIOUS_KEY"):
            badge.load_legacy_key(config["BADGE_PREVIOUS_KEY"])
    except ValueError as error:
        raise RuntimeError(str(error)) from None
