"""French numbers and dates: the filters every template uses."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
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


@pytest.mark.parametrize("value", [0, 7, -5, 11483, 1234567.891, 2.5, 2.0, -0.5, Decimal("85.71")])
def test_figures_are_written_as_babels_format_decimal_writes_them(value):
    """The patterns are parsed once and kept: the figures must stay Babel's own."""
    for decimals in (0, 1, 2):
        for zeros in (True, False):
            pattern = "#,##0" + ("." + ("0" if zeros else "#") * decimals if decimals else "")
            expected = format_decimal(value, format=pattern, locale="fr_FR")
            assert formatting.nombre(value, decimals, zeros) == expected
    assert formatting.nombre_tableur(value) == format_decimal(
        value, format="0.##########", locale="fr_FR"
    )
