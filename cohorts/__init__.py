"""Cohorts: formateurs enrol their learners and follow them.

A package of its own: it reads courses, quizzes and certificates, which lms/ never imports.
"""

from flask import Blueprint, Flask

from lms import hooks

bp = Blueprint(
    "cohorts",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/cohortes",
)


def init_app(app: Flask) -> None:
    """Panels for formateurs and learners, the xAPI cohort, the formateurs' notice, demo."""
    from . import demo, models, personal_data, services, views  # noqa: F401  (models: the tables)

    app.register_blueprint(bp)
    panels = (
        (hooks.TRAINER_HOME, views._trainer_panel, "cohorts/_trainer_panel.html"),
        (hooks.STATUS_CONTACTS, views._status_contacts, "cohorts/_status_contacts.html"),
        (hooks.DASHBOARD, views._dashboard_panel, "cohorts/_dashboard_panel.html"),
    )
    for hook, receiver, template in panels:
        hooks.connect(app, hook, receiver, template=template)
    hooks.connect(app, hooks.COHORT_OF, services.cohort_of)
    # Every statement's context says it.
    hooks.connect(app, hooks.USER_FACT, services.last_cohort_id, name="cohort")
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        personal_data.personal_cohorts,
        section="cohortes",
        tables=personal_data.TABLES,
    )
    hooks.connect(app, hooks.AWAITING_VALIDATION, services.ask_trainers_to_validate)
    hooks.connect(app, hooks.DEMO_DATA, demo.trainer_cohort, order=50)
    hooks.connect(app, hooks.DEMO_DATA, demo.pending_invitation, order=55)
    hooks.connect(app, hooks.DEMO_DATA, demo.everyday, order=56)
