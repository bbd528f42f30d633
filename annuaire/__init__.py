"""The public annuaire of certified animateurs: opt-in listings, search, map, open data.

A package of its own rather than part of lms/: it builds on the certificates feature (only a
certified animateur is listed), and the platform never depends on a feature.
"""

from flask import Blueprint

bp = Blueprint("annuaire", __name__, template_folder="templates")

from . import demo, views  # noqa: E402,F401
