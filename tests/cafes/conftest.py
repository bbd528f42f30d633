import pytest

from certificates.demo import certify


@pytest.fixture
def app_config():
    # The registration limit guards the public form; these tests register many people.
    return {"CAFE_REGISTRATION_RATE_LIMIT": "1000 per minute"}


@pytest.fixture
def animateur(app, login_as):
    """A certified animateur, logged in."""
    user = login_as(first_name="Léa", last_name="Moreau", commune="Toulouse", departement_code="31")
    certify(user)
    return user
