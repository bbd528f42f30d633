"""Fixtures of the cohort tests: a formateur signed in, and their cohort."""

import pytest

from cohorts import services


@pytest.fixture
def trainer(login_as):
    return login_as("formateur", first_name="Karim", last_name="Benali")


@pytest.fixture
def cohort(trainer):
    return services.create(trainer, name="Morbihan printemps", territory="Morbihan")
