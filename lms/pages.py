"""Public pages, the legal pages, and each role's home."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from . import hooks
from .models import Role
from .security import roles_required

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    """Public: what the training is and how to join."""
    return render_template("pages/home.html", page_title="Accueil")


@bp.get("/tableau-de-bord")
@login_required
def dashboard():
    """Any logged-in person: their own training."""
    return render_template(
        "pages/dashboard.html",
        page_title="Mon tableau de bord",
        panels=hooks.render_panels(hooks.DASHBOARD, current_user),
    )


@bp.get("/formateur")
@roles_required(Role.FORMATEUR, Role.ADMIN)
def trainer_home():
    """Formateurs and admins: the cohorts they follow."""
    return render_template(
        "pages/trainer_home.html",
        page_title="Espace formateur",
        panels=hooks.render_panels(hooks.TRAINER_HOME, current_user),
    )


@bp.get("/mentions-legales")
def legal():
    return render_template("pages/legal.html", page_title="Mentions légales")


@bp.get("/donnees-personnelles")
def privacy():
    return render_template("pages/privacy.html", page_title="Données personnelles")


@bp.get("/accessibilite")
def accessibility():
    return render_template("pages/accessibility.html", page_title="Déclaration d'accessibilité")


def home_endpoint_for(user) -> str:
    """Where a person lands after logging in."""
    return {Role.ADMIN: "admin.home", Role.FORMATEUR: "pages.trainer_home"}.get(
        user.role, "pages.dashboard"
    )
