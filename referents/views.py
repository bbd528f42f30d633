"""The admins' page of référents, and the référent's « Mon territoire »."""

from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from cafes.forms import HideForm
from cafes.models import ACTION_PATHS, THEMES
from cafes.services import french_day
from lms.concurrency import submission_of
from lms.departements import departement
from lms.extensions import db
from lms.mail import MailUnavailable
from lms.models import Role, User
from lms.secrecy import shown
from lms.security import roles_required

from . import bp, services
from .forms import GrantForm, MessageForm, WithdrawForm
from .territories import Territory

# --- the admins: who follows which territory --------------------------------------------------


def _admin_page(form, code=200):
    return render_template(
        "referents/admin.html",
        page_title="Référents locaux",
        form=form,
        assignments=[
            (a, person, Territory(a.kind, a.code)) for a, person in services.all_assignments()
        ],
    ), code


@bp.get("/admin/referents")
@roles_required(Role.ADMIN)
def admin():
    """Admins: the référents and their territories; give one."""
    return _admin_page(GrantForm())


@bp.post("/admin/referents")
@roles_required(Role.ADMIN)
def grant():
    """Admins: give a territory to a person, who keeps their role and is told by e-mail."""
    form = GrantForm()
    if not form.validate_on_submit():
        forged = form.territory.data and form.chosen is None  # a value no page offers
        return _admin_page(form, 400 if forged else 422)
    person = db.session.scalar(
        select(User).where(func.lower(User.email) == form.email.data.lower())
    )
    if person is None:
        form.email.errors.append("Aucun compte n'a cette adresse.")
        return _admin_page(form, 422)
    try:
        services.grant(person, form.chosen, current_user, form.reason.data)
    except services.Refused as refusal:
        form.territory.errors.append(str(refusal))
        return _admin_page(form, 409)
    flash(f"{person.full_name} suit désormais : {form.chosen.label}.", "success")
    return redirect(url_for("referents.admin"))


@bp.post("/admin/referents/<int:assignment_id>/retirer")
@roles_required(Role.ADMIN)
def withdraw(assignment_id):
    """Admins: take a territory back, with a reason the person receives."""
    assignment = db.session.get(services.Assignment, assignment_id) or abort(404)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or "Le formulaire est incomplet.", "error")
        return redirect(url_for("referents.admin")), 303
    services.withdraw(assignment, current_user, form.reason.data)
    flash("Le territoire est retiré ; la personne est prévenue par e-mail.", "success")
    return redirect(url_for("referents.admin"))


# --- the référent's territory -------------------------------------------------------------------


def referent_required(view):
    """Only a person with a territory; anyone else gets the 403 page, whatever their role."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not services.is_referent(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _own_cafe(cafe_id):
    """A café of the territory, or 404: an id from elsewhere is not there for a référent."""
    return services.cafe_in(services.territory_of(current_user), cafe_id) or abort(404)


@bp.get("/mon-territoire")
@referent_required
def territory():
    """A référent: the territory's animateurs, cafés and reach; moderation and messages."""
    codes = services.territory_of(current_user)
    return render_template(
        "referents/territory.html",
        page_title="Mon territoire",
        territories=services.territories(current_user),
        listings=services.listings_in(codes),
        unlisted=services.unlisted_certified(codes),
        coming=services.cafes_in(codes, past=False),
        past=services.cafes_in(codes, past=True),
        reach=services.reach(codes),
        reports=services.reports_in(codes),
        shown=shown,
        themes=THEMES,
        action_paths=ACTION_PATHS,
        departement=departement,
        french_day=french_day,
        hidden_nationally=services.hidden_nationally,
    )


@bp.post("/mon-territoire/cafes/<int:cafe_id>/masquer")
@referent_required
def hide(cafe_id):
    """A référent: hide a café of the territory; its animateur receives the reason."""
    cafe = _own_cafe(cafe_id)
    form = HideForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or "Le formulaire est incomplet.", "error")
        return redirect(url_for("referents.territory", _anchor="cafes")), 303
    if services.hide(cafe, current_user, form.reason.data):
        flash("Le café est masqué ; l'animateur est prévenu par e-mail.", "success")
    else:
        flash("Ce café était déjà masqué.", "info")
    return redirect(url_for("referents.territory", _anchor="cafes"))


@bp.post("/mon-territoire/cafes/<int:cafe_id>/afficher")
@referent_required
def show(cafe_id):
    """A référent: show a café of the territory again, unless a national admin hid it."""
    if not services.show_again(_own_cafe(cafe_id)):
        flash(
            "Ce café a été masqué par l'administration nationale : elle seule l'affiche.", "error"
        )
        return redirect(url_for("referents.territory", _anchor="cafes")), 303
    flash("Le café est de nouveau visible.", "success")
    return redirect(url_for("referents.territory", _anchor="cafes"))


def _message_page(form, code=200):
    codes = services.territory_of(current_user)
    return render_template(
        "referents/message.html",
        page_title="Écrire aux animateurs du territoire",
        form=form,
        recipients=len(services.listings_in(codes)),
        left=max(services.MESSAGES_PER_DAY - services.sent_today(current_user), 0),
        per_day=services.MESSAGES_PER_DAY,
    ), code


@bp.route("/mon-territoire/message", methods=["GET", "POST"])
@referent_required
def message():
    """A référent: one message to the territory's listed animateurs, who reply to them."""
    form = MessageForm()
    if not form.is_submitted():
        return _message_page(form)
    if not services.may_send(current_user):
        flash(
            f"Vous avez déjà envoyé {services.MESSAGES_PER_DAY} messages en 24 heures : "
            "réessayez demain.",
            "error",
        )
        return _message_page(form, 429)
    if not form.validate_on_submit():
        return _message_page(form, 422)
    try:
        sent = services.send_message(
            current_user, form.subject.data, form.body.data, submission_of(request.form)
        )
    except MailUnavailable:
        flash("Le serveur d'e-mail ne répond pas : le message n'est pas parti en entier.", "error")
        return _message_page(form, 503)
    if sent is None:
        flash("Ce message est déjà parti.", "info")
        return redirect(url_for("referents.territory"))
    flash(f"Votre message est envoyé à {sent} animateur{'s' if sent > 1 else ''}.", "success")
    return redirect(url_for("referents.territory"))


# --- panels, menu, personal data ---------------------------------------------------------------


def _dashboard_panel(user):
    found = services.territories(user)
    return {"territories": found} if found else None
