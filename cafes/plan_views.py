"""« Préparer mon premier café »: any learner drafts a plan, prints it (page or PDF), and once
certified turns it into the announcement of a café, which they confirm."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.departements import departement

from . import bp, plans, services
from .plan_forms import PlanForm
from .plan_pdf import render_plan
from .views import _edit_page, _form, _labels, _not_certified

TITLE = "Préparer mon premier café"


def _own(plan_id: int):
    return plans.own_plan(current_user, plan_id) or abort(404)


def _page(form, plan=None, code=200):
    return render_template(
        "cafes/plan.html",
        page_title=TITLE,
        form=form,
        plan=plan,
        can_announce=services.can_announce(current_user),
        **_labels(),
    ), code


def _save(form, plan=None):
    if not form.validate_on_submit():
        return _page(form, plan, 400 if form.forged() else 422)
    plan = plans.save(current_user, form, plan)
    flash("Votre plan est enregistré. Vous pouvez y revenir à tout moment.", "success")
    return redirect(url_for("cafes.plan", plan_id=plan.id))


@bp.route("/preparer-mon-cafe", methods=["GET", "POST"])
@login_required
def plan_start():
    """Any learner: their plan if they have one, else a new one from the standard sequence."""
    existing = plans.plan_of(current_user)
    if request.method == "GET" and existing:
        return redirect(url_for("cafes.plan", plan_id=existing.id))
    if request.method == "POST":
        return _save(PlanForm(), existing)
    return _page(PlanForm(data=plans.form_data(None)))


@bp.route("/preparer-mon-cafe/<int:plan_id>", methods=["GET", "POST"])
@login_required
def plan(plan_id):
    """Its author: read and change the plan."""
    plan = _own(plan_id)
    if request.method == "POST":
        return _save(PlanForm(), plan)
    return _page(PlanForm(data=plans.form_data(plan)), plan)


def _print_labels(plan) -> dict:
    found = departement(plan.departement_code) if plan.departement_code else None
    return {
        **_labels(),
        "departement_name": found.nom if found else "",
        "material": plans.MATERIAL,
    }


@bp.get("/preparer-mon-cafe/<int:plan_id>/imprimer")
@login_required
def plan_print(plan_id):
    """Its author: the plan as a page made for printing."""
    plan = _own(plan_id)
    return render_template(
        "cafes/plan_print.html", page_title=f"Plan : {plan.title}", plan=plan, **_print_labels(plan)
    )


@bp.get("/preparer-mon-cafe/<int:plan_id>/plan.pdf")
@login_required
def plan_pdf(plan_id):
    """Its author: the plan as a tagged PDF (PDF/UA-1)."""
    plan = _own(plan_id)
    return Response(
        render_plan(plan, _print_labels(plan)),
        mimetype="application/pdf",
        headers={"Content-Disposition": "attachment; filename=plan-cafe-ia.pdf"},
    )


@bp.get("/preparer-mon-cafe/<int:plan_id>/annoncer")
@login_required
def plan_announce(plan_id):
    """Its author, once certified: the announcement form filled from the plan, to confirm."""
    plan = _own(plan_id)
    if not services.can_announce(current_user):
        return _not_certified()
    form = _form(formdata=None, data=plans.cafe_defaults(plan))
    flash("Le formulaire reprend votre plan : vérifiez-le, complétez-le, puis annoncez.", "info")
    return _edit_page(form)


# --- panels ------------------------------------------------------------------------------------

PLANNING_MODULE = "animer-cafe-ia"  # the module that teaches how to run a café


def _dashboard_panel(user):
    return {"plan": plans.plan_of(user)}


def _module_panel(user, module):
    return _dashboard_panel(user) if module.slug == PLANNING_MODULE else None
