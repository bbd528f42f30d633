"""Who may use a route, and the headers every response carries."""

from functools import wraps
from urllib.parse import unquote_to_bytes

from flask import abort, current_app, request
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


# The bodies a browser's form sends; a view that reads another kind says so (`takes_raw_body`).
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def takes_raw_body(view):
    """Mark an API view that reads its own body (a JWT, JSON…): `refuse_foreign_bodies` lets it."""
    view.takes_raw_body = True
    return view


def refuse_foreign_bodies():
    """A write whose body is not a form (JSON, XML…) is refused with a 415, before any view.

    Flask-WTF reads a JSON body as form data, so numbers, objects or arrays would reach fields
    that expect text: the form routes only ever take what a browser's form sends.
    """
    if request.method not in WRITE_METHODS or request.routing_exception is not None:
        return None
    if request.mimetype in FORM_TYPES or not (request.mimetype or request.content_length):
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "takes_raw_body", False):
        return None
    from .errors import render_error

    return render_error(415)


def refuse_nul_characters():
    """U+0000 in the address, the query string or a form is refused with a 400.

    PostgreSQL can neither store nor compare it: it would fail deep in a query, as a 500.
    """
    values = [request.path, *_keys_and_values(request.args)]
    if request.mimetype in FORM_TYPES:
        values += _keys_and_values(request.form)
    if not any("\x00" in value for value in values):
        return None
    from .errors import render_error

    return render_error(
        400, "L'adresse ou le formulaire contient un caractère nul (U+0000) : retapez la saisie."
    )


def _keys_and_values(multidict) -> list[str]:
    return [text for key, value in multidict.items(multi=True) for text in (key, value)]
