"""The pages after a café: its report (compte rendu), the declaration of a café held without
having been announced, and the participants' anonymous word (its QR code, its form)."""

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from lms.concurrency import submission_of
from lms.urls import absolute_url

from . import bp, feedback, reports, services
from .models import ACTION_PATHS, BREAKDOWNS, BY_AGE, BY_AUDIENCE, SUBMITTED, THEMES
from .report_forms import DeclaredCafeForm, FeedbackAnswerForm, ReportForm, marks_of
from .views import _certified_only, _labels


def _authored(cafe_id):
    """The café's animateur or a co-animateur; anybody else: it does not exist."""
    return reports.authored_cafe(current_user, cafe_id) or abort(404)


# --- the report ---------------------------------------------------------------------------------


@bp.route("/mes-cafes/<int:cafe_id>/compte-rendu", methods=["GET", "POST"])
@login_required
def report(cafe_id):
    """The café's animateur or co-animateurs: its report, once the café is over."""
    cafe = _authored(cafe_id)
    existing = reports.report_of(cafe)
    refused = reports.refusal(cafe, existing)
    form = ReportForm(data=_report_data(existing) if existing else None)
    if request.method == "GET" or refused:
        if refused and request.method == "POST":
            flash(refused, "error")
        return _report_page(cafe, existing, form, refused, 409 if request.method == "POST" else 200)
    if not form.validate_on_submit():
        return _report_page(cafe, existing, form, None, 400 if form.forged() else 422)
    was_submitted = existing is not None and existing.status == SUBMITTED
    saved = reports.save(current_user, cafe, form, submit=request.form.get("action") == "envoyer")
    if was_submitted:
        flash("Votre compte rendu est modifié.", "success")
    elif saved.status == SUBMITTED:
        flash("Merci : votre compte rendu est envoyé.", "success")
    else:
        flash("Votre brouillon est enregistré : envoyez-le quand il est prêt.", "success")
    return redirect(url_for("cafes.report", cafe_id=cafe.id))


def _report_data(report) -> dict:
    data = {
        "participants": report.participants,
        "synthesis": report.synthesis,
        "to_change": report.to_change,
        "share_synthesis": report.share_synthesis,
        "themes": [t.code for t in report.themes if t.code in THEMES],
        "free_themes": " ; ".join(t.label for t in report.themes if t.code not in THEMES),
        "action_paths": [a.code for a in report.action_paths if a.code in ACTION_PATHS],
        "free_action_paths": " ; ".join(
            a.label for a in report.action_paths if a.code not in ACTION_PATHS
        ),
    }
    data.update({f"{c.dimension}_{c.category}": c.count for c in report.counts})
    return data


def _report_page(cafe, report, form, refused, code=200):
    until = reports.editable_until(report) if report else None
    return render_template(
        "cafes/report.html",
        page_title=f"Compte rendu : {cafe.title}",
        cafe=cafe,
        report=report,
        form=form,
        refused=refused,
        editable_until=until,
        edit_days=current_app.config["CAFE_REPORT_EDIT_DAYS"],
        themes=THEMES,
        action_paths=ACTION_PATHS,
        dimensions=[
            ("Par âge", BY_AGE, BREAKDOWNS[BY_AGE]),
            ("Par public", BY_AUDIENCE, BREAKDOWNS[BY_AUDIENCE]),
        ],
        **_labels(),
    ), code


# --- a café held without having been announced --------------------------------------------------


@bp.route("/mes-cafes/declarer", methods=["GET", "POST"])
@_certified_only
def declare():
    """A certified animateur: declare a café already held, then write its report."""
    form = DeclaredCafeForm(announcing=False)
    if request.method == "GET" and not form.is_submitted():
        form.process(data={"format": "presentiel", "animation": "recette", **_place()})
        return _declare_page(form)
    if not form.validate_on_submit():
        return _declare_page(form, 400 if form.forged() else 422)
    cafe = reports.declare(current_user, form, submission_of(request.form))
    flash("Le café est enregistré : faites-en maintenant le compte rendu.", "success")
    return redirect(url_for("cafes.report", cafe_id=cafe.id))


def _place() -> dict:
    listing = services.animateur_listing(current_user.id)
    source = listing or current_user
    return {
        "structure": source.structure,
        "commune": source.commune,
        "departement": source.departement_code,
    }


def _declare_page(form, code=200):
    return render_template(
        "cafes/declare.html", page_title="Déclarer un café déjà tenu", form=form
    ), code


# --- the participants' word ---------------------------------------------------------------------


@bp.get("/mes-cafes/<int:cafe_id>/avis")
@login_required
def feedback_summary(cafe_id):
    """The café's animateur or co-animateurs: the link and QR code to show at the end, and the
    answers once at least five people gave theirs."""
    cafe = _authored(cafe_id)
    link = absolute_url("cafes.give_feedback", token=feedback.form_of(cafe).token)
    return render_template(
        "cafes/feedback_summary.html",
        page_title=f"Avis des participants : {cafe.title}",
        cafe=cafe,
        link=link,
        qr=feedback.qr_svg(link),
        is_open=feedback.is_open(cafe),
        closes_at=feedback.closes_at(cafe),
        summary=feedback.summary(cafe),
        marks=list(feedback.MARKS),
        **_labels(),
    )


@bp.route("/cafes/avis/<token>", methods=["GET", "POST"])
def give_feedback(token):
    """Public, by the link or the QR code the animateur shows: the anonymous form."""
    cafe = feedback.cafe_by_token(token)
    if cafe is None:
        return render_template("cafes/feedback_closed.html", page_title="Avis introuvable"), 404
    device = request.cookies.get(feedback.COOKIE)
    if not feedback.is_open(cafe):
        return _closed(cafe, "Le recueil des avis n'est pas ouvert pour ce café."), 409
    if feedback.has_answered(cafe, device):
        return _closed(cafe, "Vous avez déjà donné votre avis sur ce café : merci !"), 409
    # The device's key is given with the form: the form sent twice (a double tap) is one device.
    device = device or feedback.new_device_key()
    form = FeedbackAnswerForm()
    if request.method == "GET":
        return _with_device(make_response(_feedback_page(cafe, form)), device)
    if not form.validate_on_submit():
        return _with_device(make_response(_feedback_page(cafe, form, 422)), device)
    if not feedback.answer(cafe, device, marks_of(form), form.comment.data or ""):
        return _closed(cafe, "Vous avez déjà donné votre avis sur ce café : merci !"), 409
    return _with_device(redirect(url_for("cafes.feedback_thanks", token=token)), device)


def _with_device(response, device: str):
    response.set_cookie(
        feedback.COOKIE,
        device,
        max_age=365 * 24 * 3600,
        path="/cafes/avis",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.get("/cafes/avis/<token>/merci")
def feedback_thanks(token):
    """Public: after answering."""
    cafe = feedback.cafe_by_token(token)
    if cafe is None:
        return render_template("cafes/feedback_closed.html", page_title="Avis introuvable"), 404
    return _closed(cafe, "Merci ! Votre avis est enregistré, de façon anonyme.", "Merci")


def _closed(cafe, message, title="Donner mon avis"):
    return render_template(
        "cafes/feedback_closed.html", page_title=title, cafe=cafe, message=message, **_labels()
    )


def _feedback_page(cafe, form, code=200):
    return render_template(
        "cafes/feedback_form.html",
        page_title=f"Votre avis sur le café « {cafe.title} »",
        cafe=cafe,
        form=form,
        **_labels(),
    ), code
