"""The main menu, by role: each person sees the entries their role opens.

The platform's own entries are connected here; a feature adds its own in its init_app
(hooks.MENU), so the menu never names an endpoint of a feature that may not be installed.
"""

from flask import Flask
from flask_login import current_user

from . import hooks
from .models import Role

_PLATFORM_MENU = [
    # (order, endpoint, label, roles that see it; None = everybody)
    (10, "pages.home", "Accueil", None),
    (20, "pages.dashboard", "Mon tableau de bord", {Role.APPRENANT, Role.FORMATEUR, Role.ADMIN}),
    (50, "pages.trainer_home", "Espace formateur", {Role.FORMATEUR, Role.ADMIN}),
    (60, "admin.home", "Administration", {Role.ADMIN}),
]


def init_app(app: Flask) -> None:
    for order, endpoint, label, roles in _PLATFORM_MENU:
        add_entry(app, endpoint, label, roles, order=order)
    app.jinja_env.globals["navigation"] = navigation


def add_entry(
    app: Flask, endpoint: str, label: str, roles=None, *, order: int, shown_to=None
) -> None:
    """One menu entry; `order` places it among the others (the platform's go by tens).
    `shown_to(user) -> bool`: for entries that follow something other than the role (a
    référent's territory); only signed-in people are asked."""
    roles = frozenset(roles) if roles is not None else None
    hooks.connect(
        app,
        hooks.MENU,
        None,
        endpoint=endpoint,
        label=label,
        roles=roles,
        order=order,
        shown_to=shown_to,
    )


def navigation() -> list[tuple[str, str]]:
    role = current_user.role if current_user.is_authenticated else None
    return [
        (entry["endpoint"], entry["label"])
        for entry in hooks.menu()
        if (entry["roles"] is None or role in entry["roles"])
        and (entry["shown_to"] is None or (role and entry["shown_to"](current_user)))
    ]
