import hmac

from flask import current_app, jsonify, render_template, request, url_for
from flask_login import current_user, login_required

from ..models import Role
from ..security import roles_required
from . import bp, outbox, reading
from .vocabulary import XAPI_VERSION


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
    response = jsonify({"statements": [reading.as_xapi(row) for row in rows], "more": more})
    response.headers["X-Experience-API-Version"] = XAPI_VERSION
    return response


def _bad_query(error):
    response = jsonify({"erreur": str(error)})
    response.status_code = 400
    response.headers["X-Experience-API-Version"] = XAPI_VERSION
    return response


@bp.get("/xapi/statements")
def statements():
    """Admins (session) or a configured puller (HTTP Basic): the xAPI statement store."""
    is_admin = current_user.is_authenticated and current_user.has_role(Role.ADMIN)
    if not (is_admin or _puller_authorised()):
        response = jsonify({"erreur": "Identifiants requis pour lire les déclarations xAPI."})
        response.status_code = 403 if current_user.is_authenticated else 401
        if response.status_code == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
        return response
    try:
        rows, cursor = reading.query(request.args)
    except reading.BadQuery as error:
        return _bad_query(error)
    return _statement_result(rows, cursor, "xapi.statements")


@bp.get("/mon-compte/traces-xapi.json")
@login_required
def my_statements():
    """Any logged-in person: their own statements (RGPD), page by page."""
    try:
        rows, cursor = reading.query({**request.args, "agent": None}, user_id=current_user.id)
    except reading.BadQuery as error:
        return _bad_query(error)
    return _statement_result(rows, cursor, "xapi.my_statements")


@bp.get("/admin/xapi")
@roles_required(Role.ADMIN)
def outbox_page():
    """Admins: what the outbox holds, and what the LRS refused."""
    return render_template(
        "xapi/outbox.html", page_title="Envoi des traces xAPI", **outbox.status()
    )


def personal_statements(user) -> list[dict]:
    return [reading.as_xapi(row) for row in reading.all_for(user.id)]
