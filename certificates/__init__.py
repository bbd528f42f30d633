"""Readiness, animateur status and its history, certificates and their verification."""

from flask import Blueprint

bp = Blueprint("certificates", __name__, template_folder="templates")
