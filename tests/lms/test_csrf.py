"""CSRF on every form: each POST route of the platform refuses a request without its token."""

import pytest
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, IntegerConverter

from cafeia import create_app
from lms.extensions import db
from lms.xapi.models import StoredStatement
from tests.conftest import make_config

EXEMPT = {
    # A JSON API for any verifier (it changes nothing and holds no session): no token to carry.
    "certificates.badge_verify",
    # LTI's login and launch are posted by the LMS, cross-site by nature: the platform's signed
    # id_token (checked against its JWKS, with state and a single-use nonce) protects them.
    "lti.login",
    "lti.launch",
}


def forged(converter):
    """A value the converter accepts: 1 for an id, the first choice of an `any`, else "x"."""
    if isinstance(converter, IntegerConverter):
        return 1
    return min(converter.items) if isinstance(converter, AnyConverter) else "x"


def post_routes() -> list[tuple[str, str]]:
    """(endpoint, url) of every POST route, its parameters filled with a forged value."""
    app = create_app(make_config("sqlite://"))
    adapter = app.url_map.bind("cafeia.test")
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint not in EXEMPT:
            values = {name: forged(rule._converters[name]) for name in rule.arguments}
            routes.append((rule.endpoint, adapter.build(rule.endpoint, values)))
    return sorted(routes)


@pytest.mark.parametrize("role", [None, "admin"])
@pytest.mark.parametrize("endpoint, url", post_routes())
def test_every_post_without_its_token_is_refused(client, login_as, role, endpoint, url):
    if role:
        login_as(role)
    before = db.session.scalar(select(func.count()).select_from(StoredStatement))
    response = client.post(url, data={"email": "x@exemple.fr", "password": "x" * 12})
    assert response.status_code == 400, endpoint
    assert "jeton de sécurité" in response.get_data(as_text=True), endpoint
    assert db.session.scalar(select(func.count()).select_from(StoredStatement)) == before


def test_the_forms_that_record_learning_are_among_them():
    endpoints = {endpoint for endpoint, _ in post_routes()}
    assert {"courses.complete", "quizzes.submit", "certificates.readiness_form"} <= endpoints


def test_only_the_listed_views_are_exempt_from_csrf(app):
    """A new exemption is a decision: it has to be added (and explained) above."""
    from lms.extensions import csrf

    exempt = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views
    }
    assert exempt == EXEMPT
