"""Quizzes: six kinds of question, drawn per attempt from question pools, graded on the server."""

from pathlib import Path

from flask import Blueprint, Flask

from lms import hooks

bp = Blueprint("quizzes", __name__, template_folder="templates")
BANKS = Path(__file__).parent / "banks"


@bp.record_once
def _load_banks(state) -> None:
    from .bank import BankError, load_banks

    app = state.app
    quizzes = load_banks(Path(app.config.get("QUIZ_BANKS") or BANKS))
    catalogue = app.extensions["courses"]
    for quiz in quizzes.values():
        if not catalogue.module(quiz.module_slug):
            raise BankError(
                quiz.path, None, "module", f"« {quiz.module_slug} » n'est pas un module"
            )
    app.extensions["quizzes"] = quizzes


def init_app(app: Flask) -> None:
    from . import demo, guidance, services, views

    app.register_blueprint(bp)
    from courses import activities

    from . import checks  # the « question » activity kind: a check inside a lesson

    activities.register(app, checks.QuestionKind)
    # A module is complete only once its quiz is passed.
    hooks.connect(app, hooks.COMPLETION_REQUIREMENT, services.has_passed)
    hooks.connect(app, hooks.MODULE, views._module_panel, template="quizzes/_module_panel.html")
    hooks.connect(
        app,
        hooks.PERSONAL_DATA,
        views._personal_attempts,
        section="quiz",
        tables=("quiz_attempts",),
    )
    hooks.connect(app, hooks.NEXT_STEP, guidance.next_quiz, order=10)
    hooks.connect(app, hooks.DEMO_DATA, demo.learner_attempts, order=20)
    hooks.connect(app, hooks.DEMO_DATA, checks.demo_answer, order=30)
