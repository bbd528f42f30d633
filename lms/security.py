"""Who may use a route, and the headers every response carries."""

from functools import wraps
from urllib.parse import unquote_to_bytes

from flask import abort, request
from flask_login import current_user, login_required

# No inline script anywhere: the DSFR and our own scripts are files served by the platform.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def roles_required(*roles: str):
    """Anonymous visitors are sent to log in; a logged-in person without the role gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    return response


def refuse_undecodable_forms():
    """A form body that is not UTF-8 is refused whole, before any view reads it.

    Werkzeug would keep such bytes percent-encoded in the field ("Cl%E9mence"), silently.
    The body is cached, so the form is still parsed from it afterwards.
    """
    if request.mimetype != "application/x-www-form-urlencoded":
        return None
    try:
        unquote_to_bytes(request.get_data(cache=True)).decode("utf-8")
    except UnicodeDecodeError:
        from .errors import render_error

        return render_error(
            400,
            "Le formulaire contient des caractères illisibles : vérifiez "
            "l'encodage (UTF-8) de votre saisie et recommencez.",
        )
    return None
