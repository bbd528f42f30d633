import json
from datetime import datetime

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

from lms import hooks
from lms.extensions import csrf, db, limiter
from lms.models import Role, User
from lms.security import roles_required, takes_raw_body
from lms.urls import absolute_url

from . import actions, badge, bp, codes, guidance, readiness, status
from .events import announce
from .forms import BadgeCheckForm, ReasonForm, VerifyForm
from .pdf import render_certificate

# --- readiness -----------------------------------------------------------------------------------


@bp.route("/positionnement", methods=["GET", "POST"])
@login_required
def readiness_form():
    """Any logged-in person: the self-assessment of the current phase (retakes allowed)."""
    phase = readiness.current_phase(current_user)
    if request.method == "GET":
        return _readiness_page(phase, request.form)
    try:
        values = readiness.read_form(request.form)
    except ValueError as error:
        return _readiness_page(phase, request.form, str(error), 422)
    # A double click sends the same page twice: its token keeps the answers once.
    readiness.save(current_user, phase, values, readiness.submission_of(request.form))
    flash("Vos réponses sont enregistrées.", "success")
    certificate = status.grant_if_eligible(current_user)
    if certificate:
        announce(current_user, certificate)
        flash("Félicitations : vous êtes désormais animateur·rice Café IA !", "success")
        return redirect(url_for("certificates.my_status"))
    return redirect(url_for("certificates.readiness_results"))


def _readiness_page(phase, answers, error=None, code=200):
    return render_template(
        "certificates/readiness.html",
        page_title="Mon positionnement",
        phase=phase,
        readiness=readiness.readiness(),
        answers=answers,
        error=error,
        previous=readiness.latest(current_user)[phase],
        submission=readiness.submission_of(answers),  # kept when the page comes back with an error
    ), code


@bp.get("/positionnement/avant-apres")
@login_required
def readiness_results():
    """Any logged-in person: their answers before and after, as a chart and a table."""
    return render_template(
        "certificates/readiness_results.html",
        page_title="Mon positionnement : avant et après",
        readiness=readiness.readiness(),
        answers=readiness.latest(current_user),
        started=guidance.training_started(current_user),
        final_due=readiness.current_phase(current_user) == readiness.FINAL,
    )


# --- status and documents -----------------------------------------------------------------------


@bp.get("/mon-statut")
@login_required
def my_status():
    """Any logged-in person: their status, what is left to do, their documents and history."""
    return render_template(
        "certificates/status.html",
        page_title="Mon statut d'animateur·rice",
        panels=hooks.render_panels(hooks.STATUS, current_user),
        # Who to turn to (a cohort's formateurs): the cohorts feature says, if installed.
        contacts=hooks.render_panels(hooks.STATUS_CONTACTS, current_user),
        **_status_context(current_user),
    )


def _status_context(user) -> dict:
    return {
        "person": user,
        "status": status.status_of(user),
        "labels": status.LABELS,
        "criteria": status.criteria(user),
        "certificate": status.certificate_of(user),
        "history": status.history(user),
        "people": status.actor_names(status.history(user)),
        "started": guidance.training_started(user),
        "final_done": guidance.final_readiness_done(user),
    }


def _valid_certificate():
    certificate = status.certificate_of(current_user)
    if not certificate or certificate.revoked_at:
        abort(404)
    return certificate


@bp.get("/mon-statut/attestation.pdf")
@login_required
def certificate_pdf():
    """A certified person: their attestation as PDF."""
    certificate = _valid_certificate()
    pdf = render_certificate(**_certificate_fields(current_user, certificate))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": "attachment; filename=attestation-animateur-cafe-ia.pdf"},
    )


def _certificate_fields(user, certificate) -> dict:
    from courses import progress

    return {
        "full_name": user.full_name,
        "training_title": "Café IA — Formation des animateurs",
        "modules": [(m.title, m.duration_minutes) for m in progress.catalogue().modules],
        "issued_on": certificate.issued_at.date(),
        "code": certificate.code,
        "issuer": "Café IA — Formation des animateurs, programme national Café IA",
        "verify_url": _verify_url(certificate.code),
    }


def _verify_url(code: str) -> str:
    return absolute_url("certificates.verify", code=code)


def _signing_key():
    return badge.load_private_key(current_app.config["BADGE_SIGNING_KEY"])


def _legacy_key():
    """The Ed25519 key that signed badges before RS256, if the platform still knows it."""
    pem = current_app.config.get("BADGE_PREVIOUS_KEY")
    return badge.load_legacy_key(pem) if pem else None


@bp.get("/mon-statut/badge.jwt")
@login_required
def badge_download():
    """A certified person: their signed Open Badges 3.0 credential."""
    certificate = _valid_certificate()
    base = current_app.config["BASE_URL"]
    token = badge.issue_credential(
        private_key=_signing_key(),
        base_url=base,
        credential_id=_verify_url(certificate.code),
        subject_id=f"urn:uuid:{current_user.registration}",
        holder_name=current_user.full_name,
        issued_at=certificate.issued_at,
        status_url=base + url_for("certificates.badge_status", code=certificate.code),
    )
    return Response(
        token,
        mimetype="text/plain",  # OB 3.0 § 8.2: a JWT is served as text
        headers={"Content-Disposition": "attachment; filename=badge-animateur-cafe-ia.jwt"},
    )


# --- public verification ------------------------------------------------------------------------


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


@bp.get("/verifier")
@limiter.limit(_verify_limit)
def verify_form():
    """Public: type a code to check an attestation."""
    form = VerifyForm(request.args)
    if request.args and form.validate():
        typed = codes.typed_code(form.code.data)
        if typed:  # a pasted link is reduced to its code; the code to its stored form
            return redirect(url_for("certificates.verify", code=codes.normalised(typed) or typed))
        form.code.errors.append("Ce lien ne contient pas de code d'attestation.")
    return render_template(
        "certificates/verify_form.html", page_title="Vérifier une attestation", form=form
    ), 422 if request.args else 200


@bp.get("/verifier/<code>")
@limiter.limit(_verify_limit)
def verify(code):
    """Public: is this attestation genuine? Only the name, the training and the date are shown."""
    certificate = status.find_certificate(code)
    holder = db.session.get(User, certificate.user_id) if certificate else None
    return render_template(
        "certificates/verify.html",
        page_title="Vérification d'une attestation",
        certificate=certificate,
        holder=holder,
    ), 200 if certificate else 404


@bp.get("/badges/emetteur")
def issuer():
    """Public: the issuer's profile, with the public keys that verify its badges."""
    profile = badge.issuer_profile(current_app.config["BASE_URL"], _signing_key(), _legacy_key())
    return _for_any_verifier(jsonify(profile))


def _for_any_verifier(response):
    """Public, read-only documents about badges: a verifier running in a browser (a web wallet)
    on another site may read them too. No cookie is involved, so « * » exposes nothing."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/badges/emetteur/cle-2")
def issuer_key():
    """Public: what a badge's kid dereferences to, the public key alone as a JWK (OB 3.0 § 8.2.3)."""
    jwk = badge.public_jwk(_signing_key(), kid=badge.key_id(current_app.config["BASE_URL"]))
    return _for_any_verifier(
        current_app.response_class(json.dumps(jwk), mimetype="application/jwk+json")
    )


# HTML first: a browser that sends */* gets the page.
ACHIEVEMENT_FORMATS = ["text/html", "application/ld+json", "application/json"]


@bp.get("/badges/animateur-cafe-ia")
def achievement():
    """Public: what the badge certifies and its criteria; the Achievement as JSON when asked."""
    base = current_app.config["BASE_URL"]
    wanted = request.accept_mimetypes.best_match(ACHIEVEMENT_FORMATS, default="text/html")
    if wanted == "text/html":
        response = current_app.make_response(
            render_template(
                "certificates/achievement.html",
                page_title=badge.ACHIEVEMENT_NAME,
                badge=badge,
                criteria=_paragraphs(badge.ACHIEVEMENT_CRITERIA),
            )
        )
    else:
        body = {"@context": [badge.VC_CONTEXT, badge.OB_CONTEXT], **badge.achievement(base)}
        response = _for_any_verifier(current_app.response_class(json.dumps(body), mimetype=wanted))
    response.vary.add("Accept")  # one address, two forms: caches keep them apart
    return response


def _paragraphs(text: str) -> list[list[str]]:
    """The criteria narrative as blocks of lines: a numbered list is a block of several lines."""
    blocks = [block.splitlines() for block in text.split("\n\n")]
    return [
        [line.split(". ", 1)[-1] for line in lines] if len(lines) > 1 else lines for lines in blocks
    ]


@bp.get("/badges/statut/<code>")
@limiter.limit(_verify_limit)
def badge_status(code):
    """Public: the revocation status a credential points to."""
    certificate = status.find_certificate(code) or abort(404)
    base = current_app.config["BASE_URL"]
    revoked = {_verify_url(code): certificate.revocation_reason} if certificate.revoked_at else {}
    # The 1EdTech revocation list, for this one credential: empty again once it is restored.
    list_id = base + url_for("certificates.badge_status", code=code)
    return _for_any_verifier(jsonify(badge.revocation_list(list_id, base, revoked)))


@bp.post("/badges/verifier")
@takes_raw_body  # the JWT itself, whatever Content-Type the verifier sends
@csrf.exempt  # a public API for verifiers, who hold no session
@limiter.limit(_verify_limit)
def badge_verify():
    """Public: verify a credential (the JWT in the body): signature, dates and revocation."""
    token = (request.get_data(as_text=True) or "").strip()[:20_000]
    try:
        credential, certificate = _checked_badge(token)
    except badge.InvalidCredential as error:
        return jsonify({"valide": False, "erreur": str(error)}), 400
    revoked = certificate is None or certificate.revoked_at is not None
    return jsonify({"valide": not revoked, "revoque": revoked, "credential": credential})


def _checked_badge(token: str):
    """(credential, certificate) of an authentic badge; the certificate is None if it is gone."""
    credential = badge.verify_credential(
        token,
        _signing_key(),
        issuer=badge.issuer_id(current_app.config["BASE_URL"]),
        legacy_key=_legacy_key(),
    )
    return credential, status.find_certificate(credential["id"].rsplit("/", 1)[-1])


@bp.route("/badges/verification", methods=["GET", "POST"])
@limiter.limit(_verify_limit, methods=["POST"])
def badge_check():
    """Public: a person pastes or uploads a badge and reads, in French, what it is worth."""
    form = BadgeCheckForm()
    if request.method == "GET":
        return _badge_check_page(form)
    token = form.badge() if form.validate() else None
    if token is None:
        return _badge_check_page(form, code=422)
    try:
        credential, certificate = _checked_badge(token)
    except badge.InvalidCredential as error:
        return _badge_check_page(form, error=str(error), code=422)
    issued = datetime.fromisoformat(credential["validFrom"])
    result = {
        "name": badge.recipient_name(credential),
        "achievement": credential["credentialSubject"]["achievement"]["name"],
        "issued_on": issued,
        "certificate": certificate,
    }
    return _badge_check_page(form, result=result)


def _badge_check_page(form, *, result=None, error=None, code=200):
    return render_template(
        "certificates/badge_check.html",
        page_title="Vérifier un badge numérique",
        form=form,
        result=result,
        error=error,
    ), code


# --- formateurs and admins ----------------------------------------------------------------------


def _person(user_id) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.get("/admin/animateurs/<int:user_id>")
@roles_required(Role.ADMIN)
def manage(user_id):
    """Admins: a person's status, history and the actions on it."""
    return _manage_page(_person(user_id), ReasonForm())


def _manage_page(person, form, code=200):
    return render_template(
        "certificates/manage.html",
        page_title=f"Statut de {person.full_name}",
        form=form,
        **_status_context(person),
    ), code


@bp.post("/admin/animateurs/<int:user_id>/<action>")
@roles_required(Role.ADMIN)
def act(user_id, action):
    """Admins: validate, revoke or restore a status, with a reason for the last two."""
    person = _person(user_id)
    back = url_for("certificates.manage", user_id=person.id)
    return actions.answer(person, action, back, lambda form, code: _manage_page(person, form, code))


# --- contributions to other pages ---------------------------------------------------------------


def _dashboard_panel(user) -> dict:
    answers = readiness.latest(user)
    return {
        "status": status.status_of(user),
        "labels": status.LABELS,
        "initial_done": bool(answers[readiness.INITIAL]),
        "final_due": readiness.current_phase(user) == readiness.FINAL
        and not answers[readiness.FINAL],
    }
