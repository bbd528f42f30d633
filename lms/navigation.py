"""The main menu, by role: each person sees the entries their role opens."""

from flask_login import current_user

from .models import Role

_MENU = [
    # (endpoint, label, roles that see it; None = everybody)
    ("pages.home", "Accueil", None),
    ("pages.dashboard", "Mon tableau de bord", {Role.APPRENANT, Role.FORMATEUR, Role.ADMIN}),
    ("courses.catalogue", "Les modules", None),
    ("annuaire.search", "L'annuaire des animateurs", None),
    ("pages.trainer_home", "Espace formateur", {Role.FORMATEUR, Role.ADMIN}),
    ("admin.home", "Administration", {Role.ADMIN}),
    ("stats.overview", "Statistiques nationales", {Role.ADMIN}),
]


def navigation() -> list[tuple[str, str]]:
    role = current_user.role if current_user.is_authenticated else None
    return [(endpoint, label) for endpoint, label, roles in _MENU if roles is None or role in roles]
