"""LTI 1.3 / LTI Advantage: the training as a tool that Moodle, Open edX or Canvas launch.

A feature above cohorts and certificates: an LMS course becomes a cohort, its instructors its
formateurs; completion, best quiz scores and the animateur status flow back to its gradebook
(AGS) through an outbox; its roster is imported on demand (NRPS).
"""

from flask import Blueprint, Flask

from lms import hooks

bp = Blueprint(
    "lti",
    __name__,
    url_prefix="/lti",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def init_app(app: Flask) -> None:
    from . import cli, grades, models, people, personal_data, views  # noqa: F401  (routes: bp)

    app.register_blueprint(bp)
    # Flask runs after_request functions last-registered first: at the head of the list, this
    # one runs after the platform's security headers, to let the LMS frame the launch pages.
    app.after_request_funcs.setdefault(None, []).insert(0, views.allow_lti_frames)
    hooks.connect(app, hooks.LEARNING_PROGRESSED, grades.queue_for)
    hooks.connect(app, hooks.STATUS_CHANGED, grades.queue_for)
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        personal_data.personal_lti,
        section="lti",
        tables=personal_data.TABLES,
    )
    hooks.connect(app, hooks.TRAINER_HOME, views.trainer_panel, template="lti/_trainer_panel.html")
    hooks.connect(app, hooks.ACCOUNT_ERASING, people.forget)
    hooks.connect(app, hooks.ADMIN_LINKS, None, endpoint="lti.platforms", label="Plateformes LTI")
