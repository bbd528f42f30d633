"""Numbers, percentages and dates written the French way, the same on every page (Babel).

« 11 483 », « 75,8 % », « 5 janvier 2026 »: Babel's fr_FR rules (a narrow non-breaking space
between groups and before %, a decimal comma). Registered once as Jinja filters by init_app.
"""

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALE = "fr_FR"


def nombre(value, decimals: int = 0) -> str:
    """11483 → « 11 483 »; 2.5 with decimals=1 → « 2,5 »; trailing zeros are kept."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def pourcentage(value, decimals: int = 0) -> str:
    """A value already in percent: 75.8 with decimals=1 → « 75,8 % » (lms.typography's space)."""
    if value is None:
        return "—"
    return nombre(value, decimals) + "\u00a0%"


def date_courte(value: date | datetime | None) -> str:
    """« 05/01/2026 »: in tables and lists, where the columns are read down."""
    return format_date(value, "dd/MM/y", locale=LOCALE) if value else "—"


def date_longue(value: date | datetime | None) -> str:
    """« 5 janvier 2026 »: in sentences."""
    return format_date(value, "d MMMM y", locale=LOCALE) if value else "—"


def date_heure(value: datetime | None) -> str:
    """« 05/01/2026 14:30 »."""
    return format_datetime(value, "dd/MM/y HH:mm", locale=LOCALE) if value else "—"


FILTERS = {
    "nombre": nombre,
    "pourcentage": pourcentage,
    "date_courte": date_courte,
    "date_longue": date_longue,
    "date_heure": date_heure,
}


def init_app(app) -> None:
    app.jinja_env.filters.update(FILTERS)
