"""Quizzes: question kinds, server-side grading, attempts and question banks."""

from flask import Blueprint

bp = Blueprint("quizzes", __name__, template_folder="templates")
