"""Accounts: sign up, log in and out, password reset, « Mon compte » (RGPD)."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import views  # noqa: E402,F401  (routes attach themselves to bp)
