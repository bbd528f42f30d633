"""The training content and its engine: modules, lessons, progress and resume."""

from pathlib import Path

from flask import Blueprint

bp = Blueprint("courses", __name__, template_folder="templates")
CONTENT = Path(__file__).parent / "content"


@bp.record_once
def _load_content(state) -> None:
    # Loaded and checked once, at start-up: a broken module stops the platform here.
    from .content import load_catalogue

    root = Path(state.app.config.get("COURSES_CONTENT") or CONTENT)
    state.app.extensions["courses"] = load_catalogue(root)


from . import cli, demo, views  # noqa: E402,F401
