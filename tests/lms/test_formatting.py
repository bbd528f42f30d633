"""French numbers and dates: the filters every template uses."""

from datetime import date, datetime

import pytest
from flask import render_template_string

from lms import formatting


@pytest.mark.parametrize(
    "template, value, shown",
    [
        ("{{ v|nombre }}", 11483, "11\u202f483"),
        ("{{ v|nombre(1) }}", 2.5, "2,5"),
        ("{{ v|pourcentage(1) }}", 75.8, "75,8\u00a0%"),
        ("{{ v|pourcentage(1) }}", 16, "16,0\u00a0%"),
        ("{{ v|pourcentage }}", 99.6, "100\u00a0%"),
        ("{{ v|nombre }}", None, "—"),
        ("{{ v|date_longue }}", date(2026, 1, 5), "5 janvier 2026"),
        ("{{ v|date_courte }}", datetime(2026, 1, 5, 23, 59), "05/01/2026"),
        ("{{ v|date_heure }}", datetime(2026, 1, 5, 14, 30), "05/01/2026 14:30"),
    ],
)
def test_the_filters_write_french(app, template, value, shown):
    with app.test_request_context():
        assert render_template_string(template, v=value) == shown


def test_every_filter_is_registered(app):
    assert set(formatting.FILTERS) <= set(app.jinja_env.filters)
