import hmac
import re
from datetime import timedelta

from flask import current_app, jsonify, render_template, request, url_for
from flask_login import current_user, login_required

from ..models import Role, utcnow
from ..security import roles_required
from . import bp, outbox, reading
from .vocabulary import XAPI_VERSION

VERSION_HEADER = "X-Experience-API-Version"
# xAPI: « 1.0 » means 1.0.0, any 1.0.x is read as 1.0.3; 0.95, 1.1 and 2.0 are refused.
ACCEPTED_VERSION = re.compile(r"1\.0(\.[0-9]+)?")
CONSISTENCY_MARGIN = timedelta(seconds=10)


def _puller_authorised() -> bool:
    """HTTP Basic credentials from configuration, for an LRS or a warehouse pulling statements."""
    expected = (
        current_app.config.get("XAPI_READ_USERNAME"),
        current_app.config.get("XAPI_READ_PASSWORD"),
    )
    given = request.authorization
    return bool(
        all(expected)
        and given
        and given.type == "basic"
        and hmac.compare_digest(given.username or "", expected[0])
        and hmac.compare_digest(given.password or "", expected[1])
    )


def _statement_result(rows, cursor, endpoint: str):
    more = url_for(endpoint, **{**request.args, "cursor": cursor}) if cursor else ""
    form = reading.response_format(request.args)
    statements = [reading.as_xapi(row, form, request.accept_languages) for row in rows]
    return _consistent(jsonify({"statements": statements, "more": more}))


def _one_statement(row):
    if row is None:
        return _error("Aucune déclaration n'a cet identifiant.", 404)
    form = reading.response_format(request.args)
    response = jsonify(reading.as_xapi(row, form, request.accept_languages))
    response.last_modified = row.stored
    return _consistent(response)


def _consistent(response):
    """xAPI's X-Experience-API-Consistent-Through: what was stored before is all there.

    A statement's `stored` is set when its request writes it and shown once that request
    commits, a moment later: the margin covers that moment."""
    through = utcnow() - CONSISTENCY_MARGIN
    response.headers["X-Experience-API-Consistent-Through"] = through.isoformat()
    return response


def _error(message, status: int = 400):
    response = jsonify({"erreur": str(message)})
    response.status_code = status
    return response


@bp.after_app_request
def _version_header(response):
    """xAPI: every response of the API says its version, errors included."""
    if request.path.startswith("/xapi/") or request.endpoint == "xapi.my_statements":
        response.headers[VERSION_HEADER] = XAPI_VERSION
    return response


@bp.get("/xapi/about")
def about():
    """Open to all, whatever version the client says (xAPI conformance XAPI-00331)."""
    return jsonify({"version": [XAPI_VERSION]})


@bp.get("/xapi/statements")
def statements():
    """Admins (session) or a configured puller (HTTP Basic): the xAPI statement store."""
    is_admin = current_user.is_authenticated and current_user.has_role(Role.ADMIN)
    if not (is_admin or _puller_authorised()):
        if current_user.is_authenticated:
            return _error("Ce compte ne peut pas lire les déclarations xAPI.", 403)
        response = _error("Identifiants requis pour lire les déclarations xAPI.", 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
        return response
    if not ACCEPTED_VERSION.fullmatch(request.headers.get(VERSION_HEADER, "")):
        return _error(
            f"« {VERSION_HEADER} » doit valoir {XAPI_VERSION} (ou 1.0.x) ; "
            f"{VERSION_HEADER} must be {XAPI_VERSION} (or 1.0.x)."
        )
    try:
        if reading.SINGLE & set(request.args):
            return _one_statement(reading.single(request.args))
        rows, cursor = reading.query(request.args)
        return _statement_result(rows, cursor, "xapi.statements")
    except reading.BadQuery as error:
        return _error(error)


@bp.get("/mon-compte/traces-xapi.json")
@login_required
def my_statements():
    """Any logged-in person: their own statements (RGPD), page by page."""
    try:
        rows, cursor = reading.query({**request.args, "agent": None}, user_id=current_user.id)
        return _statement_result(rows, cursor, "xapi.my_statements")
    except reading.BadQuery as error:
        return _error(error)


@bp.get("/admin/xapi")
@roles_required(Role.ADMIN)
def outbox_page():
    """Admins: what the outbox holds, and what the LRS refused."""
    return render_template(
        "xapi/outbox.html", page_title="Envoi des traces xAPI", **outbox.status()
    )


def personal_statements(user) -> list[dict]:
    return [reading.as_xapi(row) for row in reading.all_for(user.id)]
