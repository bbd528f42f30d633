"""ProConnect's routes: start, callback, first sign-in, linking an account, unlinking, log-out.

A person is recognised by `sub` + `idp_id`, never by e-mail alone: an account with the same
address is linked only once its holder proves it (its password, or a link sent to it).
"""

import logging

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.errors import JoseError
from requests import RequestException
from sqlalchemy.exc import IntegrityError

from lms.accounts import services as accounts
from lms.errors import render_error
from lms.extensions import db, limiter
from lms.mail import send_mail
from lms.models import User
from lms.pages import home_endpoint_for
from lms.urls import absolute_url

from . import bp
from .client import (
    ACR,
    UNAVAILABLE,
    ProConnectError,
    client,
    configured,
    metadata,
    missing_claims,
    new_secret,
    structure_name,
    verified_userinfo,
)
from .forms import CompleteProfileForm, LinkForm
from .models import ProConnectIdentity, account_for, identity_of

log = logging.getLogger(__name__)
PENDING = "proconnect_pending"  # the verified identity, until its account is made or linked
ID_TOKEN = "proconnect_id_token"  # the id_token_hint of the log-out
LINK_MAX_AGE = 3600


@bp.errorhandler(ProConnectError)
def _refused(error: ProConnectError):
    return render_error(error.status, error.message, "Connexion avec ProConnect impossible")


@bp.before_request
def _only_when_configured():
    if not configured() and request.endpoint != "proconnect.unlink":  # a kept link can still go
        abort(404)


@bp.post("/connexion")
def start():
    """Anyone: go to ProConnect (a logged-in person links their account this way)."""
    metadata()  # a provider that is down is a French 503 here, not an error later
    try:
        return client().authorize_redirect(
            current_app.config["PROCONNECT_REDIRECT_URI"],
            state=new_secret(),
            nonce=new_secret(),
            acr_values=ACR,
        )
    except RequestException:
        raise UNAVAILABLE from None


@bp.get("/retour")
def callback():
    """ProConnect's answer: checked from end to end before anything is written."""
    identity = _verified_identity()
    user = account_for(identity["sub"], identity["idp_id"])
    if user is not None:
        return _signed_in(user, identity)
    if current_user.is_authenticated:  # the person asked for it from « Mon compte »
        return _link(current_user._get_current_object(), identity)
    existing = accounts.find_by_email(identity["email"])
    if existing is not None and identity_of(existing) is not None:
        raise ProConnectError(
            "Cette adresse électronique est déjà reliée à une autre identité ProConnect. "
            "Connectez-vous avec celle-ci, ou avec votre mot de passe.",
            409,
        )
    session[PENDING] = identity
    return redirect(url_for("proconnect.link" if existing else "proconnect.complete"))


def _verified_identity() -> dict:
    if request.args.get("error"):
        _provider_refused(request.args["error"])
    if request.args.get("iss") != metadata()["issuer"]:
        log.warning("ProConnect : retour refusé (iss)")
        raise ProConnectError(_AGAIN.format("la réponse ne vient pas de ProConnect"))
    try:
        token = client().authorize_access_token()
    except MismatchingStateError:
        raise ProConnectError(
            _AGAIN.format("la demande a expiré ou ne vient pas de ce navigateur")
        ) from None
    except OAuthError as error:  # the code refused: used already, expired, forged
        log.warning("ProConnect : code refusé (%s)", error.error)
        raise ProConnectError(_AGAIN.format("ProConnect a refusé la demande")) from None
    except JoseError as error:  # the ID token: signature, issuer, audience, expiry, nonce
        log.warning("ProConnect : jeton d'identité refusé (%s)", type(error).__name__)
        raise ProConnectError(_AGAIN.format("le jeton d'identité n'est pas valide")) from None
    except RequestException:
        raise UNAVAILABLE from None
    id_claims = token.get("userinfo")  # Authlib's name for the verified ID token's claims
    if id_claims is None:
        raise ProConnectError(_AGAIN.format("ProConnect n'a pas donné de jeton d'identité"))
    if id_claims.get("acr") != ACR:
        raise ProConnectError(_AGAIN.format("le niveau d'authentification n'est pas celui demandé"))
    claims = verified_userinfo(token, id_claims["sub"])
    if missing := missing_claims(claims):
        raise ProConnectError(
            "ProConnect n'a pas transmis " + ", ".join(missing) + " : vous n'êtes pas connecté·e. "
            "Vérifiez votre compte auprès de votre fournisseur d'identité.",
            502,
        )
    identity = {
        name: str(claims[name]).strip()
        for name in ("sub", "given_name", "usual_name", "email", "siret", "idp_id")
    }
    identity["email"] = accounts.normalise_email(identity["email"])
    if not _well_formed(identity):
        raise ProConnectError(
            "ProConnect a transmis une adresse, un SIRET ou un identifiant inattendu : "
            "vous n'êtes pas connecté·e.",
            502,
        )
    identity["id_token"] = token["id_token"]
    return identity


def _well_formed(identity: dict) -> bool:
    """What the columns hold: a SIRET is 14 digits, an address 254 characters at most."""
    siret = identity["siret"]
    return (
        len(siret) == 14
        and siret.isdigit()
        and "@" in identity["email"]
        and len(identity["email"]) <= 254
        and len(identity["sub"]) <= 255
        and len(identity["idp_id"]) <= 255
    )


_AGAIN = (
    "La connexion avec ProConnect n'a pas abouti : {}. Recommencez depuis la page de connexion."
)


def _provider_refused(error: str):
    if error == "access_denied":
        raise ProConnectError(
            "Vous avez refusé de transmettre vos informations : vous n'êtes pas connecté·e. "
            "Vous pouvez recommencer, ou vous connecter avec un mot de passe.",
            403,
        )
    log.warning("ProConnect : erreur %s", error[:64])
    raise ProConnectError(_AGAIN.format("ProConnect a renvoyé une erreur"))


def _signed_in(user, identity: dict, message: str | None = None):
    session.clear()  # a fresh session on login, as for a password
    login_user(user)
    session[ID_TOKEN] = identity["id_token"]
    if message:  # flashed into the new session, or it would be cleared with the old one
        flash(message, "success")
    log.info("connexion ProConnect : utilisateur %s", user.id)
    return redirect(url_for(home_endpoint_for(user)))


def _link(user, identity: dict):
    if identity_of(user) is not None:
        raise ProConnectError(
            "Votre compte est déjà relié à une autre identité ProConnect : déliez-la d'abord "
            "depuis « Mon compte ».",
            409,
        )
    db.session.add(
        ProConnectIdentity(
            user_id=user.id, sub=identity["sub"], idp_id=identity["idp_id"], siret=identity["siret"]
        )
    )
    try:
        db.session.commit()
    except IntegrityError:  # the same identity linked meanwhile, by another tab
        db.session.rollback()
        raise ProConnectError(
            "Cette identité ProConnect est déjà reliée à un compte.", 409
        ) from None
    log.info("ProConnect relié : utilisateur %s", user.id)
    return _signed_in(user, identity, "Votre compte est relié à ProConnect.")


def _pending() -> dict:
    identity = session.get(PENDING)
    if not identity:
        raise ProConnectError(_AGAIN.format("la demande a expiré"))
    return identity


@bp.route("/inscription", methods=["GET", "POST"])
def complete():
    """First ProConnect sign-in: the person confirms their structure and completes the profile."""
    identity = _pending()
    form = CompleteProfileForm(
        **(structure_name(identity["siret"]) if request.method == "GET" else {})
    )
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template(
            "proconnect/complete.html",
            form=form,
            identity=identity,
            page_title="Compléter mon profil",
        ), status
    profile = {
        "email": identity["email"],
        "first_name": identity["given_name"][:100],
        "last_name": identity["usual_name"][:100],
        "profile": form.profile.data,
        "structure": form.structure.data.strip(),
        "commune": form.commune.data.strip(),
        "departement_code": form.departement.data,
    }
    try:
        (user,) = accounts.add_invited_users([profile])
        db.session.add(
            ProConnectIdentity(
                user_id=user.id,
                sub=identity["sub"],
                idp_id=identity["idp_id"],
                siret=identity["siret"],
            )
        )
        db.session.commit()
    except IntegrityError:  # the address or the identity taken meanwhile (a second tab)
        db.session.rollback()
        raise ProConnectError(
            "Un compte existe déjà pour cette adresse ou cette identité : connectez-vous.", 409
        ) from None
    log.info("compte créé avec ProConnect : utilisateur %s", user.id)
    return _signed_in(user, identity, "Bienvenue ! Votre compte est créé.")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/relier", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])  # a password is tried here, as on /connexion
def link():
    """An account already has this address: its holder proves it before it is linked."""
    identity = _pending()
    form = LinkForm()
    page = dict(form=form, identity=identity, page_title="Relier mon compte à ProConnect")
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("proconnect/link.html", **page), status
    user = accounts.authenticate(identity["email"], form.password.data)
    if user is None:
        form.password.errors.append("Mot de passe incorrect : le compte n'a pas été relié.")
        return render_template("proconnect/link.html", **page), 401
    return _link(user, identity)


def _link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="proconnect-relier")


@bp.post("/relier/par-email")
@limiter.limit(_login_limit)
def send_link():
    """Or by a link sent to that address, for an account without a password."""
    identity = _pending()
    user = accounts.find_by_email(identity["email"])
    if user is None:
        raise ProConnectError(_AGAIN.format("la demande a expiré"))
    kept = {name: identity[name] for name in ("sub", "idp_id", "siret")}
    token = _link_serializer().dumps({"user": user.id, **kept})
    send_mail(
        user.email,
        "Café IA Formation : relier votre compte à ProConnect",
        f"Bonjour {user.first_name},\n\nPour relier votre compte à votre identité ProConnect, "
        f"ouvrez ce lien (valable une heure) :\n{absolute_url('proconnect.confirm_link', token=token)}\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien ne sera relié.\n",
    )
    flash(
        f"Un lien vient d'être envoyé à {user.email} : ouvrez-le pour relier votre compte.", "info"
    )
    return redirect(url_for("proconnect.link"))


@bp.get("/relier/<token>")
def confirm_link(token):
    """Holder of the e-mailed link: the account is linked, then ProConnect signs in to it."""
    try:
        data = _link_serializer().loads(token, max_age=LINK_MAX_AGE)
    except BadSignature:
        raise ProConnectError(
            "Ce lien est invalide ou expiré : recommencez la connexion avec ProConnect."
        ) from None
    user = db.session.get(User, data.get("user"))
    if user is None or identity_of(user) is not None or account_for(data["sub"], data["idp_id"]):
        raise ProConnectError("Ce lien a déjà servi ou ne correspond plus à aucun compte.", 409)
    db.session.add(
        ProConnectIdentity(
            user_id=user.id, sub=data["sub"], idp_id=data["idp_id"], siret=data["siret"]
        )
    )
    db.session.commit()
    log.info("ProConnect relié par e-mail : utilisateur %s", user.id)
    flash("Votre compte est relié à ProConnect : connectez-vous avec ProConnect.", "success")
    return redirect(url_for("accounts.login"))


@bp.post("/delier")
@login_required
def unlink():
    """Any logged-in person with a password: their account no longer opens with ProConnect."""
    identity = identity_of(current_user)
    if identity is None:
        flash("Votre compte n'est pas relié à ProConnect.", "info")
    elif not current_user.password_hash:
        flash(
            "Choisissez d'abord un mot de passe : sans lui, vous ne pourriez plus vous connecter.",
            "error",
        )
    else:
        db.session.delete(identity)
        db.session.commit()
        log.info("ProConnect délié : utilisateur %s", current_user.id)
        flash("Votre compte n'est plus relié à ProConnect.", "success")
    return redirect(url_for("accounts.account"))


def end_provider_session(ended: dict):
    """hooks.SIGNED_OUT: a ProConnect sign-in ends at ProConnect too, then comes back here."""
    if not configured() or not ended.get(ID_TOKEN):
        return None
    try:
        return client().logout_redirect(
            post_logout_redirect_uri=current_app.config["PROCONNECT_LOGOUT_URI"],
            id_token_hint=ended[ID_TOKEN],
            state=new_secret(),
        )
    except (RequestException, ValueError, RuntimeError):
        flash(
            "ProConnect ne répond pas : vous restez peut-être connecté·e chez ProConnect.",
            "warning",
        )
        return None


@bp.get("/deconnecte")
def logged_out():
    """Back from ProConnect's end-session endpoint: the `state` must be the one we sent."""
    try:
        client().validate_logout_response()
    except OAuthError:
        raise ProConnectError(
            "Ce retour de déconnexion ne vient pas de ce navigateur. Vous êtes bien déconnecté·e "
            "de la plateforme ; fermez votre navigateur pour terminer la session ProConnect."
        ) from None
    flash("Vous êtes déconnecté·e de la plateforme et de ProConnect.", "info")
    return redirect(url_for("pages.home"))


def sign_in_panel(user):
    return {} if configured() else None


def account_panel(user):
    identity = identity_of(user)
    if identity is None and not configured():
        return None
    return {"identity": identity, "can_unlink": bool(user.password_hash)}
