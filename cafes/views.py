import json
from dataclasses import replace

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from annuaire import map
from annuaire.models import AUDIENCES
from annuaire.schema import LICENCE_URL
from lms.concurrency import submission_of
from lms.departements import all_departements, departement
from lms.exports import csv_response
from lms.extensions import db, limiter
from lms.models import User
from lms.params import int_arg
from lms.security import roles_required

from . import bp, ical, reports, services
from .forms import CafeForm, HideForm, ParticipantForm, RegistrationForm
from .models import ANIMATIONS, CONFIRMED, FORMATS
from .schema import FIELDS, SCHEMA

LICENCE = f"Licence Ouverte / Open Licence 2.0 (Etalab) — {LICENCE_URL}"
COLUMNS = [name for name, _, _ in FIELDS]


def _labels() -> dict:
    return {
        "formats": FORMATS,
        "audiences": AUDIENCES,
        "animations": ANIMATIONS,
        "french_day": services.french_day,
        "erase_weeks": services.erase_weeks(),
        "departements": all_departements(),
    }


# --- the public agenda -------------------------------------------------------------------------


@bp.get("/cafes")
def agenda():
    """Public: the cafés to come, by territory, dates, format and public; a list and a map."""
    try:
        filters = services.Filters.from_args(request.args)
    except ValueError as error:
        return _agenda_page(services.Filters(), None, str(error)), 400
    page = int_arg("page", 1, maximum=10_000)
    try:
        results = services.agenda(filters, page)
    except ValueError as error:
        return _agenda_page(filters, None, str(error)), 400
    return _agenda_page(filters, results)


def _agenda_page(filters, results, error=None):
    departements = all_departements()
    view_box, shapes = map.shapes()
    return render_template(
        "cafes/agenda.html",
        page_title="Agenda des Cafés IA",
        filters=filters,
        results=results,
        error=error,
        # The map shows every département, whatever territory is chosen: the other filters only.
        counts=services.counts_by_departement(
            replace(filters, region="", departement="") if error is None else services.Filters()
        ),
        regions=sorted({d.region for d in departements.values()}),
        shapes=shapes,
        view_box=view_box,
        shade=map.shade,
        legend=map.legend(),
        **_labels(),
    )


@bp.get("/cafes/<int:cafe_id>")
def cafe(cafe_id):
    """Public: one café, its registration form, its schema.org Event."""
    cafe = services.public_cafe(cafe_id) or abort(404)
    return _cafe_page(cafe, RegistrationForm())


def _cafe_page(cafe, form):
    return render_template(
        "cafes/cafe.html",
        page_title=cafe.title,
        cafe=cafe,
        form=form,
        animateur=services.animateur_name(cafe),
        listing=services.animateur_listing(cafe.animateur_id),
        co_animateurs=services.co_animateur_listings(cafe),
        departement=departement(cafe.departement_code),
        is_open=services.is_open(cafe),
        seats_left=max(cafe.capacity - cafe.seats_taken, 0),
        json_ld=_json_ld(cafe),
        **_labels(),
    )


ATTENDANCE = {
    "presentiel": "https://schema.org/OfflineEventAttendanceMode",
    "en_ligne": "https://schema.org/OnlineEventAttendanceMode",
    "hybride": "https://schema.org/MixedEventAttendanceMode",
}


def _json_ld(cafe) -> Markup:
    """schema.org Event, as Google's Event structured data asks; never the online link."""
    base = current_app.config["BASE_URL"]
    place = {
        "@type": "Place",
        "name": cafe.structure,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": cafe.address or None,
            "addressLocality": cafe.commune,
            "addressRegion": cafe.region,
            "postalCode": None,
            "addressCountry": "FR",
        },
    }
    place["address"] = {k: v for k, v in place["address"].items() if v}
    virtual = {"@type": "VirtualLocation", "url": f"{base}/cafes/{cafe.id}"}
    location = {"presentiel": place, "en_ligne": virtual, "hybride": [place, virtual]}
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": cafe.title,
        "description": cafe.description or f"Café IA : {cafe.title}",
        "startDate": services.start_of(cafe).isoformat(),
        "endDate": services.end_of(cafe).isoformat(),
        "eventStatus": "https://schema.org/EventCancelled"
        if cafe.cancelled_at
        else "https://schema.org/EventScheduled",
        "eventAttendanceMode": ATTENDANCE[cafe.format],
        "location": location[cafe.format],
        "isAccessibleForFree": True,
        "maximumAttendeeCapacity": cafe.capacity,
        "remainingAttendeeCapacity": max(cafe.capacity - cafe.seats_taken, 0),
        "offers": {
            "@type": "Offer",
            "price": 0,
            "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock"
            if cafe.seats_taken < cafe.capacity
            else "https://schema.org/SoldOut",
            "url": f"{base}/cafes/{cafe.id}",
        },
        "organizer": {
            "@type": "Person",
            "name": services.animateur_name(cafe),
            "url": f"{base}/cafes/animateurs/{cafe.animateur_id}",
        },
        "inLanguage": "fr",
        "url": f"{base}/cafes/{cafe.id}",
    }
    # In a <script>, « </ » would end the block: json escapes < > & so no text can close it.
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


@bp.post("/cafes/<int:cafe_id>/inscription")
@limiter.limit(lambda: current_app.config["CAFE_REGISTRATION_RATE_LIMIT"])
def register(cafe_id):
    """Public: join a café with a name and an e-mail, no account."""
    cafe = services.public_cafe(cafe_id) or abort(404)
    form = RegistrationForm()
    if form.website.data:  # the honeypot: a robot; say nothing, register nothing
        flash("Votre demande est enregistrée.", "success")
        return redirect(url_for("cafes.cafe", cafe_id=cafe_id))
    if not services.is_open(cafe):
        flash("Les inscriptions à ce café sont closes.", "error")
        return _cafe_page(cafe, form), 409
    if not form.validate_on_submit():
        return _cafe_page(cafe, form), 422
    registration = services.register(cafe, form.name.data, form.email.data, None)
    services.confirm_by_mail(cafe, registration)
    if registration.status == CONFIRMED:
        flash("Vous êtes inscrit·e : un e-mail de confirmation vous a été envoyé.", "success")
    else:
        flash(
            "Le café est complet : vous êtes sur la liste d'attente. Un e-mail vous le confirme.",
            "info",
        )
    return redirect(url_for("cafes.cafe", cafe_id=cafe_id))


@bp.route("/cafes/desinscription/<token>", methods=["GET", "POST"])
def unregister(token):
    """Public, by the link of the confirmation e-mail: give up one's seat."""
    registration = services.registration_by_token(token)
    if registration is None:
        return render_template(
            "cafes/unregistered.html", page_title="Inscription introuvable", cafe=None
        ), 404
    cafe = db.session.get(services.Cafe, registration.cafe_id)
    if request.method == "POST":
        services.cancel_registration(registration.id)
        return render_template(
            "cafes/unregistered.html", page_title="Inscription annulée", cafe=cafe
        )
    return render_template(
        "cafes/unregister.html",
        page_title="Annuler mon inscription",
        cafe=cafe,
        registration=registration,
        **_labels(),
    )


@bp.get("/cafes/animateurs/<int:user_id>")
def animateur(user_id):
    """Public: an animateur's cafés to come and those held."""
    user = db.session.get(User, user_id)
    coming = services.cafes_of(user_id, past=False) if user else []
    past = services.cafes_of(user_id, past=True) if user else []
    if not coming and not past:
        abort(404)
    listing = services.animateur_listing(user_id)
    name = listing.display_name if listing else f"{user.first_name} {user.last_name[:1]}."
    return render_template(
        "cafes/animateur.html",
        page_title=f"Les Cafés IA de {name}",
        name=name,
        listing=listing,
        user_id=user_id,
        coming=coming,
        past=past,
        **_labels(),
    )


# --- open formats ------------------------------------------------------------------------------


def _ics(name: str, cafes, filename: str) -> Response:
    return Response(
        ical.feed(name, cafes),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@bp.get("/cafes.ics")
def feed_all():
    """Public: the whole agenda as an iCalendar feed."""
    cafes = db.session.scalars(services.upcoming_cafes().order_by(services.Cafe.day)).all()
    return _ics("Agenda des Cafés IA", cafes, "cafes-ia.ics")


@bp.get("/cafes/departements/<code>.ics")
def feed_departement(code):
    """Public: one département's cafés as an iCalendar feed."""
    found = departement(code) or abort(404)
    cafes = db.session.scalars(
        services.upcoming_cafes()
        .where(services.Cafe.departement_code == found.code)
        .order_by(services.Cafe.day)
    ).all()
    return _ics(f"Cafés IA — {found.nom}", cafes, f"cafes-ia-{found.code}.ics")


@bp.get("/cafes/animateurs/<int:user_id>.ics")
def feed_animateur(user_id):
    """Public: one animateur's cafés to come as an iCalendar feed."""
    cafes = services.cafes_of(user_id, past=False)
    if not cafes and not services.cafes_of(user_id, past=True):
        abort(404)
    return _ics("Cafés IA d'un·e animateur·rice", cafes, f"cafes-ia-animateur-{user_id}.ics")


def _rows() -> list[dict]:
    base = current_app.config["BASE_URL"]
    cafes = db.session.scalars(services.upcoming_cafes().order_by(services.Cafe.id)).all()
    return [
        {
            "id": c.id,
            "titre": c.title,
            "date": c.day.isoformat(),
            "debut": c.starts.strftime("%H:%M:%S"),
            "fin": c.ends.strftime("%H:%M:%S"),
            "format": c.format,
            "structure": c.structure,
            "adresse": c.address,
            "commune": c.commune,
            "departement": c.departement_code,
            "region": c.region,
            "public": c.audience,
            "animation": c.animation,
            "animation_precision": c.animation_other,
            "capacite": c.capacity,
            "places_restantes": max(c.capacity - c.seats_taken, 0),
            "gratuit": True,
            "animateur": services.animateur_name(c),
            "cafe_url": f"{base}/cafes/{c.id}",
        }
        for c in cafes
    ]


@bp.get("/cafes.csv")
def export_csv():
    """Public open data: the cafés to come, no participant."""
    rows = [{**row, "gratuit": "true"} for row in _rows()]
    response = csv_response(COLUMNS, rows, "agenda-cafes-ia.csv", open_data=True)
    response.headers["Link"] = (
        f'<{url_for("cafes.schema")}>; rel="describedby", <{LICENCE_URL}>; rel="license"'
    )
    return response


@bp.get("/cafes.json")
def export_json():
    """Public open data, with its licence and schema."""
    return jsonify({"licence": LICENCE, "schema": url_for("cafes.schema"), "cafes": _rows()})


@bp.get("/cafes/schema.json")
def schema():
    """Public: the Table Schema of the exports."""
    return jsonify(SCHEMA)


# --- the animateur's cafés ---------------------------------------------------------------------


def _not_certified():
    return render_template("cafes/not_certified.html", page_title="Mes Cafés IA"), 403


def _certified_only(view):
    from functools import wraps

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not services.can_announce(current_user):
            return _not_certified()
        return view(*args, **kwargs)

    return wrapped


def _own(cafe_id):
    return services.own_cafe(current_user, cafe_id) or abort(404)


@bp.get("/mes-cafes")
@_certified_only
def mine():
    """A certified animateur: their cafés, to come and past."""
    return render_template(
        "cafes/mine.html",
        page_title="Mes Cafés IA",
        cafes=(cafes := services.own_cafes(current_user)),
        reports=reports.reports_by_cafe(cafes),
        co_animated=reports.co_animated_past(current_user),
        today=services.date.today(),
        **_labels(),
    )


def _form(**kwargs) -> CafeForm:
    form = CafeForm(**kwargs)
    form.co_animateurs.choices = [
        (str(listing.id), f"{listing.display_name} — {listing.commune}")
        for listing in services.co_animateur_choices(current_user)
    ]
    return form


def _edit_page(form, cafe=None, code=200):
    return render_template(
        "cafes/edit.html",
        page_title="Modifier le café" if cafe else "Annoncer un Café IA",
        form=form,
        cafe=cafe,
    ), code


@bp.route("/mes-cafes/nouveau", methods=["GET", "POST"])
@_certified_only
def announce():
    """A certified animateur: announce a café."""
    form = _form()
    if request.method == "GET" and not form.is_submitted():
        form.process(data=_defaults())
        return _edit_page(form)
    if not form.validate_on_submit():
        return _edit_page(form, code=400 if form.forged() else 422)
    cafe = services.save(current_user, form, submission=submission_of(request.form))
    flash("Votre café est annoncé dans l'agenda.", "success")
    return redirect(url_for("cafes.cafe", cafe_id=cafe.id))


def _defaults() -> dict:
    listing = services.animateur_listing(current_user.id)
    return {
        "structure": listing.structure if listing else current_user.structure,
        "commune": listing.commune if listing else current_user.commune,
        "departement": listing.departement_code if listing else current_user.departement_code,
        "format": "presentiel",
        "animation": "recette",
        "audience": "tout_public",
        "capacity": 20,
    }


@bp.get("/mes-cafes/<int:cafe_id>/dupliquer")
@_certified_only
def duplicate(cafe_id):
    """A certified animateur: a new café from one of theirs (a recurring café), date to choose."""
    cafe = _own(cafe_id)
    form = _form(formdata=None, obj=cafe, data=_copied(cafe))
    form.day.data = None
    return _edit_page(form)


def _copied(cafe) -> dict:
    return {
        "departement": cafe.departement_code,
        "co_animateurs": [str(c.listing_id) for c in cafe.co_animateurs],
    }


@bp.route("/mes-cafes/<int:cafe_id>/modifier", methods=["GET", "POST"])
@_certified_only
def edit(cafe_id):
    """A certified animateur: change one of their cafés (not once cancelled)."""
    cafe = _own(cafe_id)
    if cafe.cancelled_at:
        flash("Ce café est annulé : il ne se modifie plus.", "error")
        return redirect(url_for("cafes.mine"))
    form = _form(obj=cafe, data=_copied(cafe), seats_taken=cafe.seats_taken, announcing=False)
    if not form.validate_on_submit():
        code = (400 if form.forged() else 422) if form.is_submitted() else 200
        return _edit_page(form, cafe, code)
    services.save(current_user, form, cafe)
    flash("Votre café est modifié.", "success")
    return redirect(url_for("cafes.cafe", cafe_id=cafe.id))


@bp.post("/mes-cafes/<int:cafe_id>/annuler")
@_certified_only
def cancel(cafe_id):
    """A certified animateur: cancel a café; every participant with an e-mail is told."""
    cafe = _own(cafe_id)
    if services.cancel(current_user, cafe):
        flash("Le café est annulé ; les personnes inscrites sont prévenues par e-mail.", "success")
    else:
        flash("Ce café était déjà annulé.", "info")
    return redirect(url_for("cafes.mine"))


@bp.route("/mes-cafes/<int:cafe_id>/participants", methods=["GET", "POST"])
@_certified_only
def participants(cafe_id):
    """A certified animateur: the list of participants (printable), and adding someone."""
    cafe = _own(cafe_id)
    form = ParticipantForm()
    code = 200
    if form.is_submitted():
        if not services.is_open(cafe):
            flash("Les inscriptions à ce café sont closes.", "error")
            code = 409
        elif form.validate_on_submit():
            email = form.email.data or None
            registration = services.register(cafe, form.name.data, email, form.phone.data or None)
            services.confirm_by_mail(cafe, registration)
            flash(f"{registration.name} est inscrit·e.", "success")
            return redirect(url_for("cafes.participants", cafe_id=cafe.id))
        else:
            code = 422
    return render_template(
        "cafes/participants.html",
        page_title=f"Participants : {cafe.title}",
        cafe=cafe,
        form=form,
        registrations=services.registrations(cafe),
        **_labels(),
    ), code


@bp.post("/mes-cafes/<int:cafe_id>/participants/<int:registration_id>/retirer")
@_certified_only
def remove_participant(cafe_id, registration_id):
    """A certified animateur: take someone off the list (they said they would not come)."""
    cafe = _own(cafe_id)
    if not any(r.id == registration_id for r in services.registrations(cafe)):
        abort(404)
    services.cancel_registration(registration_id)
    flash("La personne est retirée de la liste.", "success")
    return redirect(url_for("cafes.participants", cafe_id=cafe.id))


# --- moderation --------------------------------------------------------------------------------


@bp.get("/admin/cafes")
@roles_required("admin")
def moderation():
    """Admins: the cafés to come and recent ones, each may be hidden with a reason."""
    return render_template(
        "cafes/moderation.html",
        page_title="Modération des Cafés IA",
        cafes=services.moderation_list(),
        form=HideForm(),
        **_labels(),
    )


@bp.post("/admin/cafes/<int:cafe_id>/masquer")
@roles_required("admin")
def hide(cafe_id):
    cafe = db.session.get(services.Cafe, cafe_id) or abort(404)
    form = HideForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or "Le formulaire est incomplet.", "error")
        return redirect(url_for("cafes.moderation")), 303
    if services.hide(cafe, current_user, form.reason.data):
        flash("Le café est masqué ; l'animateur·rice est prévenu·e par e-mail.", "success")
    else:
        flash("Ce café était déjà masqué.", "info")
    return redirect(url_for("cafes.moderation"))


@bp.post("/admin/cafes/<int:cafe_id>/afficher")
@roles_required("admin")
def show(cafe_id):
    cafe = db.session.get(services.Cafe, cafe_id) or abort(404)
    services.show_again(cafe)
    flash("Le café est de nouveau visible.", "success")
    return redirect(url_for("cafes.moderation"))


# --- panels and personal data ------------------------------------------------------------------


def _dashboard_panel(user):
    if not services.can_announce(user):
        return None
    coming = [c for c in services.own_cafes(user) if c.day >= services.date.today()]
    return {"coming": len(coming)}


def _personal_data(user):
    return services.personal_cafes(user)


def _listing_panel(user, listing):
    """On an annuaire listing: a link to the animateur's cafés, if they announced any."""
    coming = len(services.cafes_of(listing.user_id, past=False))
    past = len(services.cafes_of(listing.user_id, past=True))
    return {"user_id": listing.user_id, "coming": coming, "past": past}


def _account_erasing(user):
    """The animateur's account goes, and their cafés with it: participants are told first."""
    for cafe in services.own_cafes(user):
        if services.is_open(cafe):
            for registration in services.registrations(cafe):
                services.tell_cancelled(cafe, registration)
