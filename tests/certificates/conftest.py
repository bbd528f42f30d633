"""Fixtures of the certificates tests: a certified person, their badge."""

import pytest

from certificates import status
from certificates.demo import certify
from tests.helpers import finish_modules, readiness_form


@pytest.fixture
def certified(app, client, login_as):
    user = login_as()
    finish_modules(client, app)
    client.submit("/positionnement", readiness_form(5))
    assert status.certificate_of(user)
    return user


@pytest.fixture
def holder(login_as):
    """A person certified through the course, as demo data and the real flow do it."""
    user = login_as()
    certify(user)
    assert status.certificate_of(user)
    return user


@pytest.fixture
def token(client, holder) -> str:
    response = client.get("/mon-statut/badge.jwt")
    assert response.status_code == 200
    return response.get_data(as_text=True)
