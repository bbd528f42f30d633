"""The tool's endpoints: JWKS, login initiation, launch, deep linking, registration, rosters."""

import logging
import secrets
from urllib.parse import urlencode, urlsplit

import requests
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from cohorts import services as cohorts
from courses import progress
from lms.extensions import csrf, db
from lms.models import Role
from lms.security import CONTENT_SECURITY_POLICY, roles_required

from . import bp, grades, roster, tool
from .forms import ConfirmForm, DeepLinkForm, PlatformForm
from .models import Context, Platform
from .people import arriving, cohort_of, context_of

log = logging.getLogger(__name__)
STATE_COOKIE = "lti_state"
HANDOFF_MAX_AGE = 120  # seconds to open the new window after a launch inside an iframe


@bp.before_request
def only_when_configured():
    """In production LTI is on once LTI_TOOL_PRIVATE_KEY is set."""
    if not current_app.config.get("LTI_TOOL_PRIVATE_KEY"):
        abort(404)


@bp.get("/jwks.json")
def jwks():
    return jsonify(tool.jwks())


# --- OIDC login initiation -------------------------------------------------------------------


# Exempt from CSRF: the platform starts the login from its own site (GET or POST, by design of
# OIDC third-party initiated login). Nothing is written but a nonce; the launch is checked.
@csrf.exempt
@bp.route("/connexion", methods=["GET", "POST"])
def login():
    params = request.values
    platform = tool.platform_for(params.get("iss", ""), params.get("client_id"))
    if platform is None or not params.get("login_hint") or not params.get("target_link_uri"):
        return _refused("Cette plateforme n'est pas enregistrée, ou la demande est incomplète.")
    deployment = params.get("lti_deployment_id")
    if deployment and deployment not in platform.deployments:
        return _refused("Ce déploiement n'est pas enregistré pour cette plateforme.")
    state = secrets.token_urlsafe(32)
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": url_for("lti.launch", _external=True),
        "login_hint": params["login_hint"],
        "state": state,
        "nonce": tool.new_nonce(),
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    authorize = platform.auth_login_url + ("&" if "?" in platform.auth_login_url else "?")
    authorize += urlencode(query)
    if _in_iframe():
        # Third-party cookies may be blocked in the LMS's iframe: the page checks that the
        # state cookie stuck, and offers a new window if not (LTI implementation guide).
        retry = url_for("lti.login", **params.to_dict(), _external=True)
        response = current_app.make_response(
            render_template(
                "lti/cookie_check.html",
                page_title="Connexion depuis votre LMS",
                authorize=authorize,
                retry=retry,
            )
        )
        _frameable_by(response, platform)
    else:
        response = redirect(authorize)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=600,
        httponly=True,
        secure=request.is_secure,
        samesite="None" if request.is_secure else "Lax",
    )
    return response


def _in_iframe() -> bool:
    return request.headers.get("Sec-Fetch-Dest") == "iframe"


def _frameable_by(response, platform: Platform) -> None:
    """Only these few pages may show inside the platform's iframe (see allow_lti_frames)."""
    issuer = urlsplit(platform.issuer)
    response.lti_frame_ancestor = f"{issuer.scheme}://{issuer.netloc}"


def allow_lti_frames(response):
    """Runs after the platform's own security headers (see init_app): a page flagged by
    _frameable_by may be framed by its LMS, and nobody else."""
    ancestor = getattr(response, "lti_frame_ancestor", None)
    if ancestor:
        response.headers.pop("X-Frame-Options", None)
        policy = response.headers.get("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["Content-Security-Policy"] = policy.replace(
            "frame-ancestors 'none'", f"frame-ancestors {ancestor}"
        )
    return response


def _refused(message: str, status: int = 400):
    log.warning("lancement LTI refusé : %s", message)
    return render_template(
        "lti/refused.html", message=message, page_title="Lancement refusé"
    ), status


# --- the launch ------------------------------------------------------------------------------


# Exempt from CSRF: the platform's page posts the id_token here, cross-site by nature. The
# protection is the id_token itself: signed by the platform (its JWKS), for our client id,
# short-lived, bound to our state cookie and to a single-use nonce we issued.
@csrf.exempt
@bp.post("/lancement")
def launch():
    state, id_token = request.form.get("state"), request.form.get("id_token")
    if not id_token:
        return _refused("Le jeton de lancement est absent.")
    if not state or not secrets.compare_digest(state, request.cookies.get(STATE_COOKIE, "")):
        return _refused(
            "L'état de la connexion est absent : votre navigateur bloque peut-être les cookies "
            "dans le LMS. Relancez l'activité, dans une nouvelle fenêtre si besoin."
        )
    try:
        platform, claims = tool.verified_launch(id_token)
    except tool.LaunchRefused as error:
        return _refused(str(error))
    instructor = tool.is_instructor(claims)
    user = arriving(platform.issuer, claims, instructor)
    login_user(user)
    context = context_of(platform, claims, user, instructor)
    if context and not instructor and context.lineitems_url:
        grades.queue_changes(context, user)
    message_type = claims.get(tool.CLAIM + "message_type")
    if message_type == "LtiDeepLinkingRequest":
        if not instructor:
            return _refused("Seul un formateur ou une formatrice du cours choisit le contenu.", 403)
        session["lti_deep_link"] = {"platform": platform.id, "claims": _deep_link_claims(claims)}
        target = url_for("lti.deep_link")
    elif message_type == "LtiResourceLinkRequest":
        target = _landing(claims)
    else:
        return _refused("Ce type de message LTI n'est pas pris en charge.")
    response = redirect(target)
    if _in_iframe():
        handoff = _handoff_serializer().dumps({"user": user.id, "target": target})
        response = current_app.make_response(
            render_template(
                "lti/new_window.html",
                page_title="Ouvrir la formation",
                target=url_for("lti.handoff", token=handoff),
            )
        )
        _frameable_by(response, platform)
    response.delete_cookie(STATE_COOKIE)
    return response


def _deep_link_claims(claims: dict) -> dict:
    keep = (tool.CLAIM + "deployment_id", tool.DL_CLAIM + "deep_linking_settings")
    return {key: claims[key] for key in keep if key in claims}


def _landing(claims: dict) -> str:
    """Where the link lands: our own path only (the target link, or its custom `module`)."""
    custom = claims.get(tool.CLAIM + "custom") or {}
    module = custom.get("module")
    if module and progress.catalogue().module(module):
        return url_for("courses.module", module_slug=module)
    target = urlsplit(claims.get(tool.CLAIM + "target_link_uri", ""))
    ours = urlsplit(current_app.config["BASE_URL"])
    if target.netloc == ours.netloc and target.path.startswith("/modules"):
        return target.path
    return url_for("courses.catalogue")


def _handoff_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="lti-handoff")


@bp.get("/reprendre/<token>")
def handoff(token):
    """The new window: a signed, two-minute link from the launch inside the iframe."""
    try:
        data = _handoff_serializer().loads(token, max_age=HANDOFF_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return _refused("Ce lien a expiré : relancez l'activité depuis le LMS.")
    from lms.models import User  # noqa: PLC0415

    user = db.session.get(User, data["user"])
    if user is None:
        abort(404)
    login_user(user)
    return redirect(data["target"])


# --- deep linking ----------------------------------------------------------------------------


@bp.route("/lien-profond", methods=["GET", "POST"])
@roles_required(Role.FORMATEUR, Role.ADMIN)
def deep_link():
    pending = session.get("lti_deep_link")
    if not pending:
        return _refused("Aucune demande de lien profond en cours : relancez-la depuis le LMS.")
    platform = db.session.get(Platform, pending["platform"])
    modules = progress.catalogue().modules
    form = DeepLinkForm()
    if form.validate_on_submit():
        chosen = progress.catalogue().module(form.target.data)
        if form.target.data != "formation" and chosen is None:
            flash("Choisissez la formation entière ou l'un de ses modules.", "error")
        else:
            session.pop("lti_deep_link")
            item = _content_item(chosen)
            jwt_token = tool.deep_linking_response(platform, pending["claims"], [item])
            settings = pending["claims"].get(tool.DL_CLAIM + "deep_linking_settings", {})
            response = current_app.make_response(
                render_template(
                    "lti/deep_link_return.html",
                    page_title="Retour vers le LMS",
                    return_url=settings["deep_link_return_url"],
                    jwt=jwt_token,
                )
            )
            # The answer is a form posted to the LMS: the CSP's form-action must name it.
            back = urlsplit(settings["deep_link_return_url"])
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
                "form-action 'self'", f"form-action 'self' {back.scheme}://{back.netloc}"
            )
            return response
    return render_template(
        "lti/deep_link.html", page_title="Choisir le contenu", form=form, modules=modules
    )


def _content_item(module) -> dict:
    url = url_for("lti.launch", _external=True)
    if module is None:
        return {
            "type": "ltiResourceLink",
            "title": "Café IA Formation : la formation entière",
            "url": url,
            "custom": {},
            "lineItem": {
                "scoreMaximum": 100,
                "label": "Statut d'animateur·rice Café IA",
                "resourceId": grades.STATUS_ITEM,
                "tag": "cafeia",
            },
        }
    return {
        "type": "ltiResourceLink",
        "title": f"Café IA Formation : {module.title}",
        "url": url,
        "custom": {"module": module.slug},
        "lineItem": {
            "scoreMaximum": 100,
            "label": module.title,
            "resourceId": module.slug,
            "tag": "cafeia",
        },
    }


# --- platforms, registered by an admin -------------------------------------------------------


@bp.route("/plateformes", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def platforms():
    form = PlatformForm()
    status = 200
    if form.validate_on_submit():
        if tool.platform_for(form.issuer.data, form.client_id.data):
            form.client_id.errors.append("Cette plateforme est déjà enregistrée avec ce client.")
            status = 400
        else:
            platform = Platform()
            form.populate_obj(platform)
            db.session.add(platform)
            db.session.commit()
            flash(f"Plateforme « {platform.name} » enregistrée.", "success")
            return redirect(url_for("lti.platforms"))
    elif form.is_submitted():
        status = 400
    listed = db.session.scalars(select(Platform).order_by(Platform.name)).all()
    return render_template(
        "lti/platforms.html",
        page_title="Plateformes LTI",
        form=form,
        platforms=listed,
        delete_form=ConfirmForm(),
        outbox=grades.outbox_counts(),
        tool_urls=_tool_urls(),
    ), status


def _tool_urls() -> dict:
    return {
        "Connexion (OIDC login initiation)": url_for("lti.login", _external=True),
        "Lancement et redirection (launch, redirect URI)": url_for("lti.launch", _external=True),
        "Jeu de clés de l'outil (JWKS)": url_for("lti.jwks", _external=True),
        "Enregistrement dynamique": url_for("lti.register", _external=True),
    }


@bp.post("/plateformes/supprimer")
@roles_required(Role.ADMIN)
def delete_platform():
    platform_id = request.form.get("plateforme", "")
    platform = db.session.get(Platform, int(platform_id)) if platform_id.isdigit() else None
    if platform is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        db.session.delete(platform)
        db.session.commit()
        flash(f"Plateforme « {platform.name} » supprimée.", "success")
    return redirect(url_for("lti.platforms"))


# --- LTI Dynamic Registration ----------------------------------------------------------------


@bp.route("/inscription", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def register():
    """The LMS opens this page with its openid_configuration URL and a registration token:
    our admin confirms, we register ourselves at its registration endpoint."""
    config_url = request.values.get("openid_configuration", "")
    token = request.values.get("registration_token", "")
    try:
        configuration = _platform_configuration(config_url)
    except ValueError as error:
        return _refused(str(error))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            platform = _register_at(configuration, token)
        except (requests.RequestException, ValueError, KeyError) as error:
            log.warning("enregistrement dynamique refusé : %s", error)
            return _refused("La plateforme a refusé l'enregistrement de l'outil.", 502)
        return render_template(
            "lti/registered.html", page_title="Outil enregistré", platform=platform
        )
    return render_template(
        "lti/register.html",
        page_title="Enregistrer l'outil dans un LMS",
        form=form,
        configuration=configuration,
        config_url=config_url,
        token=token,
    )


def _platform_configuration(url: str) -> dict:
    if not url.startswith(("https://", "http://")):
        raise ValueError("L'adresse de configuration de la plateforme est absente ou invalide.")
    try:
        configuration = requests.get(url, timeout=tool.TIMEOUT).json()
    except (requests.RequestException, ValueError):
        raise ValueError(
            "La configuration de la plateforme est injoignable ou illisible."
        ) from None
    issuer = configuration.get("issuer", "")
    # Dynamic Registration 3.5.1: the configuration URL must live under the issuer.
    if not issuer or not url.startswith(issuer.rstrip("/")):
        raise ValueError("La configuration de la plateforme ne correspond pas à son émetteur.")
    needed = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
    if any(not configuration.get(key) for key in needed):
        raise ValueError("La configuration de la plateforme est incomplète.")
    return configuration


def _register_at(configuration: dict, token: str) -> Platform:
    launch = url_for("lti.launch", _external=True)
    base = urlsplit(launch)
    scopes = " ".join(tool.SCOPES.values())
    body = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": url_for("lti.login", _external=True),
        "redirect_uris": [launch],
        "client_name": "Café IA Formation",
        "jwks_uri": url_for("lti.jwks", _external=True),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": scopes,
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "domain": base.netloc,
            "target_link_uri": launch,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [{"type": "LtiDeepLinkingRequest", "target_link_uri": launch}],
        },
    }
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.post(
        configuration["registration_endpoint"], json=body, headers=headers, timeout=tool.TIMEOUT
    )
    answer.raise_for_status()
    registered = answer.json()
    tool_configuration = registered.get(
        "https://purl.imsglobal.org/spec/lti-tool-configuration", {}
    )
    platform = Platform(
        name=configuration.get(
            "https://purl.imsglobal.org/spec/lti-platform-configuration", {}
        ).get("product_family_code", urlsplit(configuration["issuer"]).netloc)[:120],
        issuer=configuration["issuer"],
        client_id=registered["client_id"],
        deployment_ids=tool_configuration.get("deployment_id", ""),
        auth_login_url=configuration["authorization_endpoint"],
        token_url=configuration["token_endpoint"],
        jwks_url=configuration["jwks_uri"],
    )
    db.session.add(platform)
    db.session.commit()
    log.info("plateforme LTI %s enregistrée dynamiquement", platform.id)
    return platform


# --- the LMS courses of a formateur, and their rosters ---------------------------------------


@bp.get("/cours")
@roles_required(Role.FORMATEUR, Role.ADMIN)
def courses():
    managed = [
        (context, cohort_of(context))
        for context in db.session.scalars(select(Context).order_by(Context.title))
        if cohorts.can_manage(current_user, cohort_of(context))
    ]
    return render_template(
        "lti/courses.html", page_title="Cours LMS", managed=managed, form=ConfirmForm()
    )


@bp.post("/cohortes/<int:cohort_id>/liste")
@roles_required(Role.FORMATEUR, Role.ADMIN)
def import_roster(cohort_id):
    """The roster of the LMS course behind this cohort (NRPS), imported on demand."""
    context = db.session.scalar(select(Context).where(Context.cohort_id == cohort_id))
    if context is None:
        abort(404)
    if not cohorts.can_manage(current_user, cohort_of(context)):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not context.memberships_url:
        flash("Ce cours LMS ne partage pas sa liste de participants (NRPS).", "error")
        return redirect(url_for("lti.courses"))
    try:
        learners, trainers = roster.import_roster(context)
    except (tool.ServiceUnavailable, tool.ServiceRefused) as error:
        log.warning("liste LTI du cours %s non importée : %s", context.id, error)
        flash("Le LMS n'a pas transmis la liste des participants. Réessayez plus tard.", "error")
        return redirect(url_for("lti.courses"))
    flash(f"Liste importée : {learners} apprenant·e(s), {trainers} formateur·rice(s).", "success")
    return redirect(url_for("lti.courses"))


def trainer_panel(user):
    """TRAINER_HOME: a link to the LMS courses, for a formateur who runs one."""
    if not any(
        cohorts.can_manage(user, cohort_of(context))
        for context in db.session.scalars(select(Context))
    ):
        return None
    return {"url": url_for("lti.courses")}
