from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import hooks
from ..extensions import limiter
from ..pages import home_endpoint_for
from . import bp, services
from .forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)


def _form_page(template: str, form, title: str, status: int | None = None):
    """Show a form; a refused submission comes back with its errors and a status saying why."""
    if status is None:
        status = 422 if form.is_submitted() else 200
    panels = _panels(template)
    return render_template(template, form=form, page_title=title, panels=panels), status


# Pages that show the features' panels: other ways in (ProConnect), what « Mon compte » links to.
PANELS_OF = {
    "accounts/login.html": hooks.SIGN_IN,
    "accounts/register.html": hooks.SIGN_IN,
    "accounts/account.html": hooks.ACCOUNT,
}


def _panels(template: str) -> list:
    hook = PANELS_OF.get(template)
    if hook is None:
        return []
    return hooks.render_panels(hook, current_user if hook is hooks.ACCOUNT else None)


def _profile_data(form) -> dict:
    return {
        "first_name": form.first_name.data.strip(),
        "last_name": form.last_name.data.strip(),
        "profile": form.profile.data,
        "structure": form.structure.data.strip(),
        "commune": form.commune.data.strip(),
        "departement_code": form.departement.data,
    }


def _next_page() -> str | None:
    """Where the person was going before logging in: a path of this site only.

    Browsers drop control characters and read a backslash as a slash, so a target holding
    either could lead off the site once they are removed: such a target is refused."""
    target = request.args.get("next", "")
    if any(char < " " or char in "\\\x7f" for char in target) or urlsplit(target).netloc:
        return None
    return target if target.startswith("/") and not target.startswith("//") else None


def _start_session(user) -> None:
    session.clear()  # a fresh session on login: nothing from before carries over
    login_user(user)


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


@bp.route("/inscription", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def register():
    """Anyone: create an apprenant account."""
    form = RegisterForm()
    if not form.validate_on_submit():
        return _form_page("accounts/register.html", form, "Créer un compte")
    try:  # the same form sent twice gets the same account, logged in (services.sign_up)
        user = services.sign_up(
            email=form.email.data, password=form.password.data, **_profile_data(form)
        )
    except services.EmailTaken:
        form.email.errors.append(
            "Un compte existe déjà avec cette adresse. Connectez-vous ou "
            "réinitialisez votre mot de passe."
        )
        return _form_page("accounts/register.html", form, "Créer un compte", 409)
    _start_session(user)
    flash("Bienvenue ! Votre compte est créé.", "success")
    return redirect(_next_page() or url_for("pages.dashboard"))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Anyone: log in."""
    form = LoginForm()
    title = "Se connecter"
    if not form.validate_on_submit():
        return _form_page("accounts/login.html", form, title)
    user = services.authenticate(form.email.data, form.password.data)
    if not user:
        flash("Adresse électronique ou mot de passe incorrect.", "error")
        return _form_page("accounts/login.html", form, title, 401)
    _start_session(user)
    return redirect(_next_page() or url_for(home_endpoint_for(user)))


@bp.post("/deconnexion")
def logout():
    """Anyone: log out (a POST, so that no link can log a person out)."""
    ended = dict(session)
    logout_user()
    session.clear()
    for receiver in hooks.receivers(hooks.SIGNED_OUT):  # a sign-in elsewhere ends there too
        if (response := receiver(ended)) is not None:
            return response
    flash("Vous êtes déconnecté·e.", "info")
    return redirect(url_for("pages.home"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """Anyone: ask for a reset link by e-mail."""
    form = ForgotPasswordForm()
    title = "Mot de passe oublié"
    if not form.validate_on_submit():
        return _form_page("accounts/forgot.html", form, title)
    services.send_password_reset(form.email.data)
    flash(
        "Si un compte existe avec cette adresse, un lien de réinitialisation vient d'y être envoyé.",
        "info",
    )
    return redirect(url_for("accounts.login"))


@bp.route("/reinitialiser/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Holder of a valid reset link: choose a new password."""
    user = services.user_for_reset_token(token)
    if not user:
        flash(
            "Ce lien de réinitialisation est invalide, expiré ou déjà utilisé. Demandez-en un nouveau.",
            "error",
        )
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    title = "Nouveau mot de passe"
    if not form.validate_on_submit():
        return _form_page("accounts/reset.html", form, title)
    services.change_password(user, form.password.data)
    flash("Votre mot de passe est modifié. Connectez-vous avec le nouveau.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/mon-compte", methods=["GET", "POST"])
@login_required
def account():
    """Any logged-in person: edit their own profile."""
    form = ProfileForm(obj=current_user, departement=current_user.departement_code)
    title = "Mon compte"
    if not form.validate_on_submit():
        return _form_page("accounts/account.html", form, title)
    services.update_profile(current_user, **_profile_data(form))
    flash("Votre profil est enregistré.", "success")
    return redirect(url_for("accounts.account"))


@bp.route("/mon-compte/mot-de-passe", methods=["GET", "POST"])
@login_required
def change_password():
    """Any logged-in person: change their password, knowing the current one."""
    form = ChangePasswordForm()
    title = "Changer mon mot de passe"
    if not form.validate_on_submit():
        return _form_page("accounts/password.html", form, title)
    if not current_user.check_password(form.current.data):
        form.current.errors.append("Le mot de passe actuel est incorrect.")
        return _form_page("accounts/password.html", form, title, 401)
    services.change_password(current_user, form.password.data)
    flash("Votre mot de passe est modifié.", "success")
    return redirect(url_for("accounts.account"))


@bp.get("/mon-compte/donnees.json")
@login_required
def my_data():
    """Any logged-in person: everything the platform holds about them (RGPD)."""
    response = current_app.json.response(services.export_personal_data(current_user))
    response.headers["Content-Disposition"] = "attachment; filename=mes-donnees-cafeia.json"
    return response


@bp.route("/mon-compte/supprimer", methods=["GET", "POST"])
@login_required
def delete_account():
    """Any logged-in person: erase their account, after confirming with their password.

    An account without one (it signs in with ProConnect) confirms with the box alone."""
    form = DeleteAccountForm()
    if not current_user.password_hash:
        del form.password
    title = "Supprimer mon compte"
    if not form.validate_on_submit():
        return _form_page("accounts/delete.html", form, title)
    if current_user.password_hash and not current_user.check_password(form.password.data):
        form.password.errors.append("Mot de passe incorrect : le compte n'a pas été supprimé.")
        return _form_page("accounts/delete.html", form, title, 401)
    services.delete_account(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("Votre compte et vos données ont été supprimés.", "info")
    return redirect(url_for("pages.home"))
