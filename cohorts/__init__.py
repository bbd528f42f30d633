"""Cohorts: formateurs enrol their learners and follow them.

A package of its own: it reads courses, quizzes and certificates, which lms/ never imports.
"""

from flask import Blueprint

bp = Blueprint("cohorts", __name__, template_folder="templates")

from . import demo, models, views  # noqa: E402,F401
