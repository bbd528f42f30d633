"""National statistics for ANCT: aggregates only, from SQL, with the small-cell rule."""

from flask import Blueprint

bp = Blueprint("stats", __name__, template_folder="templates")

from . import demo, erasure, views  # noqa: E402,F401
