"""Quizzes: five kinds of question, graded on the server, attempts and question banks."""

from pathlib import Path

from flask import Blueprint

bp = Blueprint("quizzes", __name__, template_folder="templates")
BANKS = Path(__file__).parent / "banks"


@bp.record_once
def _load_banks(state) -> None:
    from courses import progress

    from .bank import BankError, load_banks
    from .services import has_passed

    app = state.app
    quizzes = load_banks(Path(app.config.get("QUIZ_BANKS") or BANKS))
    catalogue = app.extensions["courses"]
    for quiz in quizzes.values():
        if not catalogue.module(quiz.module_slug):
            raise BankError(
                quiz.path, None, "module", f"« {quiz.module_slug} » n'est pas un module"
            )
    app.extensions["quizzes"] = quizzes
    # A module is complete only once its quiz is passed.
    if has_passed not in progress.completion_requirements:
        progress.completion_requirements.append(has_passed)


from . import demo, views  # noqa: E402,F401
