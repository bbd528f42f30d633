"""Readiness, eligibility, the animateur status and its history, certificates and their checks."""

from flask import Blueprint

bp = Blueprint("certificates", __name__, template_folder="templates")

from . import demo, events, views  # noqa: E402,F401
