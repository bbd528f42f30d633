from flask import abort, flash, redirect, render_template, request, url_for

from .. import hooks
from ..extensions import db
from ..models import ROLE_LABELS, Role, User
from ..params import int_arg
from ..security import roles_required
from . import bp, services
from .forms import RoleForm


@bp.get("/")
@roles_required(Role.ADMIN)
def home():
    """Admins: the platform at a glance."""
    counts = services.count_by_role()
    return render_template(
        "admin/home.html",
        page_title="Administration",
        counts=counts,
        labels=ROLE_LABELS,
        admin_links=hooks.facts(hooks.ADMIN_LINKS),  # the features' own pages (stats)
    )


@bp.get("/utilisateurs")
@roles_required(Role.ADMIN)
def users():
    """Admins: find a person and change their role."""
    query = request.args.get("q", "").strip()[:100]
    page = int_arg("page", 1, maximum=100_000)
    return render_template(
        "admin/users.html",
        page_title="Comptes et rôles",
        pagination=services.search_users(query, page),
        query=query,
        roles=ROLE_LABELS,
    )


@bp.post("/utilisateurs/<int:user_id>/role")
@roles_required(Role.ADMIN)
def set_role(user_id):
    """Admins: grant a role."""
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Rôle inconnu : aucun changement n'a été fait.", "error")
        return redirect(url_for("admin.users")), 303
    services.set_role(user, form.role.data)
    flash(f"{user.full_name} est désormais : {ROLE_LABELS[Role(form.role.data)]}.", "success")
    return redirect(url_for("admin.users", q=user.email))
