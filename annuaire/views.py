from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from certificates import status
from lms import hooks
from lms.concurrency import submission_of
from lms.departements import all_departements
from lms.exports import csv_response
from lms.extensions import db, limiter
from lms.urls import absolute_url

from . import bp, map, services
from .forms import ContactForm, ListingForm
from .models import AUDIENCES, CONTACT_MODES, FORMATS, Listing
from .schema import LICENCE_URL, SCHEMA

LICENCE = f"Licence Ouverte / Open Licence 2.0 (Etalab) — {LICENCE_URL}"
COLUMNS = [
    "nom_affiche",
    "structure",
    "commune",
    "departement",
    "departement_nom",
    "region",
    "formats",
    "publics",
    "presentation",
    "contact",
    "email_public",
    "telephone_public",
    "fiche_url",
    "mise_a_jour",
]


def _labels() -> dict:
    return {"formats": FORMATS, "audiences": AUDIENCES, "contact_modes": CONTACT_MODES}


# --- public ------------------------------------------------------------------------------------


@bp.get("/annuaire")
def search():
    """Public: find an animateur by text, région, département, commune, format and public."""
    try:
        filters = services.Filters.from_args(request.args)
    except ValueError as error:
        return _search_page(services.Filters(), None, str(error)), 400
    try:
        page = services.page_number(request.args.get("page", "1"))
        results = services.search(filters, page)
    except ValueError as error:  # the search is sound, only the page is not: keep it
        return _search_page(filters, None, str(error)), 400
    return _search_page(filters, results)


def _search_page(filters, results, error=None):
    counts = services.counts_by_departement()
    departements = all_departements()
    view_box, shapes = map.shapes()
    return render_template(
        "annuaire/search.html",
        page_title="Annuaire des animateurs Café IA",
        filters=filters,
        results=results,
        error=error,
        counts=counts,
        departements=departements,
        regions=sorted({d.region for d in departements.values()}),
        shapes=shapes,
        view_box=view_box,
        shade=map.shade,
        legend=map.legend(),
        **_labels(),
    )


@bp.get("/annuaire/<int:listing_id>")
def listing(listing_id):
    """Public: one animateur's listing."""
    listing = services.public_listing(listing_id) or abort(404)
    return _listing_page(listing, ContactForm())


def _listing_page(listing, form):
    return render_template(
        "annuaire/listing.html",
        page_title=listing.display_name,
        listing=listing,
        form=form,
        departement=all_departements()[listing.departement_code],
        panels=hooks.render_panels(hooks.LISTING, current_user, listing=listing),
        **_labels(),
    )


def _contact_limit() -> str:
    return current_app.config["CONTACT_RATE_LIMIT"]


@bp.post("/annuaire/<int:listing_id>/contact")
@limiter.limit(_contact_limit)
def contact(listing_id):
    """Public: write to an animateur through the platform, without seeing their address."""
    listing = services.public_listing(listing_id) or abort(404)
    if listing.contact_mode != "relais":
        abort(404)
    form = ContactForm()
    if form.website.data:  # the honeypot: a robot filled it; say nothing, send nothing
        flash("Votre message a été transmis.", "success")
        return redirect(url_for("annuaire.listing", listing_id=listing_id))
    if not form.validate_on_submit():
        return _listing_page(listing, form), 400 if form.forged() else 422
    # Sent now, or by the first send of this very page: the visitor is told the same.
    services.relay(listing, form, submission_of(request.form))
    flash("Votre message a été transmis. L'animateur·rice vous répondra directement.", "success")
    return redirect(url_for("annuaire.listing", listing_id=listing_id))


# --- open data ---------------------------------------------------------------------------------


def _rows() -> list[dict]:
    departements = all_departements()
    rows = []
    for listing in db.session.scalars(services.public_listings().order_by(Listing.id)):
        rows.append(
            {
                "nom_affiche": listing.display_name,
                "structure": listing.structure,
                "commune": listing.commune,
                "departement": listing.departement_code,
                "departement_nom": departements[listing.departement_code].nom,
                "region": listing.region,
                "formats": ";".join(listing.formats),
                "publics": ";".join(listing.audiences),
                "presentation": listing.presentation,
                "contact": listing.contact_mode,
                "email_public": listing.public_email or "",
                "telephone_public": listing.public_phone or "",
                "fiche_url": current_app.config["BASE_URL"]
                + url_for("annuaire.listing", listing_id=listing.id),
                "mise_a_jour": listing.updated_at.date().isoformat(),
            }
        )
    return rows


@bp.get("/annuaire.csv")
def export_csv():
    """Public open data: the consented fields of every public listing."""
    response = csv_response(COLUMNS, _rows(), "annuaire-animateurs-cafe-ia.csv", open_data=True)
    # A CSV has no room for a notice outside its stable columns: the licence travels as a header.
    response.headers["Link"] = (
        f'<{url_for("annuaire.schema")}>; rel="describedby", <{LICENCE_URL}>; rel="license"'
    )
    return response


@bp.get("/annuaire.json")
def export_json():
    """Public open data, with its licence and schema."""
    return jsonify(
        {"licence": LICENCE, "schema": url_for("annuaire.schema"), "animateurs": _rows()}
    )


@bp.get("/annuaire/schema.json")
def schema():
    """Public: the Table Schema of the exports (stable column names)."""
    return jsonify(SCHEMA)


# --- the animateur's own listing ---------------------------------------------------------------


@bp.route("/annuaire/ma-fiche", methods=["GET", "POST"])
@login_required
def edit():
    """A certified animateur: create or edit their listing, with explicit consent."""
    if status.status_of(current_user) != status.CERTIFIED:
        return render_template(
            "annuaire/not_certified.html", page_title="Ma fiche dans l'annuaire"
        ), 403
    listing = services.listing_of(current_user)
    # An existing listing fills the form; a first one starts from the account's profile.
    form = (
        ListingForm(obj=listing, departement=listing.departement_code)
        if listing
        else ListingForm(data=_defaults())
    )
    if not form.validate_on_submit():
        code = 422 if form.is_submitted() else 200
        return render_template(
            "annuaire/edit.html", page_title="Ma fiche dans l'annuaire", form=form, listing=listing
        ), code
    services.save(current_user, form)
    flash("Votre fiche est publiée dans l'annuaire.", "success")
    return redirect(url_for("annuaire.edit"))


def _defaults() -> dict:
    return {
        "display_name": f"{current_user.first_name} {current_user.last_name[:1]}.",
        "structure": current_user.structure,
        "commune": current_user.commune,
        "departement": current_user.departement_code,
        "formats": ["presentiel"],
        "audiences": ["tout_public"],
        "contact_mode": "relais",
    }


@bp.post("/annuaire/ma-fiche/visibilite")
@login_required
def visibility():
    """The listing's owner: hide it, or show it again.

    The form says which (visible=0 or 1), never « the other way »: a double click on « Masquer »
    hides the listing twice instead of hiding it and showing it again."""
    listing = services.listing_of(current_user) or abort(404)
    wanted = request.form.get("visible")
    if wanted not in ("0", "1"):
        abort(
            400,
            "Ce formulaire ne dit pas s'il faut masquer ou montrer la fiche : rechargez la page.",
        )
    services.set_visible(listing, wanted == "1")
    flash(
        "Votre fiche est de nouveau visible."
        if listing.visible
        else "Votre fiche est masquée : elle n'apparaît plus dans l'annuaire.",
        "success",
    )
    return redirect(url_for("annuaire.edit"))


@bp.post("/annuaire/ma-fiche/retirer")
@login_required
def withdraw():
    """The listing's owner: delete it and withdraw their consent.

    Withdrawn already (a double click, a second tab): the same page, which says so."""
    if services.withdraw(current_user):
        flash("Votre fiche est supprimée de l'annuaire.", "success")
    else:
        flash("Votre fiche était déjà retirée de l'annuaire.", "info")
    return redirect(url_for("certificates.my_status"))


def _personal_listing(user):
    listing = services.listing_of(user)
    if not listing:
        return None
    return {
        "nom_affiche": listing.display_name,
        "structure": listing.structure,
        "commune": listing.commune,
        "departement": listing.departement_code,
        "formats": listing.formats,
        "publics": listing.audiences,
        "presentation": listing.presentation,
        "contact": listing.contact_mode,
        "email_public": listing.public_email,
        "telephone_public": listing.public_phone,
        "visible": listing.visible,
        "consentement_le": listing.consented_at.isoformat(),
    }


def _status_panel(user):
    if status.status_of(user) != status.CERTIFIED:
        return None
    return {"listing": services.listing_of(user)}


def join_invitation(user) -> str:
    """The line the status announcement adds for the annuaire (hooks.CERTIFIED_NOTICE)."""
    return f"Rejoindre l'annuaire des animateurs : {absolute_url('annuaire.edit')}\n"
