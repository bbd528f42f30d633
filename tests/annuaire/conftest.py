import pytest

from certificates import status
from tests.helpers import certify


@pytest.fixture
def animateur(app, login_as):
    """A certified animateur, logged in."""
    user = login_as()
    certify(user)
    assert status.status_of(user) == "certifie"
    return user
