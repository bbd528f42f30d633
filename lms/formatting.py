"""Numbers, percentages and dates written the French way, the same on every page (Babel).

« 11 483 », « 75,8 % », « 5 janvier 2026 »: Babel's fr_FR rules (a narrow non-breaking space
between groups and before %, a decimal comma). Registered once as Jinja filters by init_app.
"""

from datetime import date, datetime, time
from functools import cache

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import NumberPattern, parse_pattern

LOCALE = "fr_FR"
FRENCH = Locale.parse(LOCALE)


@cache
def number_pattern(pattern: str) -> NumberPattern:
    """Babel's format_decimal parses its pattern and its locale on every call: a map of 96
    départements, two figures each, spent most of its time there."""
    return parse_pattern(pattern)


def nombre(value, decimals: int = 0, zeros: bool = True) -> str:
    """11483 → « 11 483 »; 2.5 with decimals=1 → « 2,5 »; trailing zeros are kept unless
    `zeros` is false (2.0 → « 2 », 2.5 → « 2,5 »)."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + ("0" if zeros else "#") * decimals if decimals else "")
    return number_pattern(pattern).apply(value, FRENCH)


def pourcentage(value, decimals: int = 0, zeros: bool = True) -> str:
    """A value already in percent: 75.8 with decimals=1 → « 75,8 % » (lms.typography's space)."""
    if value is None:
        return "—"
    return nombre(value, decimals, zeros) + "\u00a0%"


def date_courte(value: date | datetime | None) -> str:
    """« 05/01/2026 »: in tables and lists, where the columns are read down."""
    return format_date(value, "dd/MM/y", locale=LOCALE) if value else "—"


def date_longue(value: date | datetime | None) -> str:
    """« 5 janvier 2026 », « 1er décembre 2026 »: in sentences (French writes the first day of
    a month as an ordinal, which Babel's patterns cannot say)."""
    if not value:
        return "—"
    pattern = "'1er' MMMM y" if value.day == 1 else "d MMMM y"
    return format_date(value, pattern, locale=LOCALE)


def jour_et_date(value: date | datetime | None) -> str:
    """« mardi 1er décembre 2026 »: a day people come to (a café)."""
    return format_date(value, "EEEE", locale=LOCALE) + " " + date_longue(value) if value else "—"


def heure(value: time | datetime | None) -> str:
    """« 14 h 30 », « 9 h »: an hour in a sentence."""
    if value is None:
        return "—"
    return format_time(value, "H 'h' mm" if value.minute else "H 'h'", locale=LOCALE)


def date_heure(value: datetime | None) -> str:
    """« 05/01/2026 14:30 »."""
    return format_datetime(value, "dd/MM/y HH:mm", locale=LOCALE) if value else "—"


def nombre_tableur(value) -> str:
    """A number as a French spreadsheet reads it in a CSV cell: a decimal comma and no group
    separator (« 11483 », « 85,7 »), so that the cell stays a number, not text."""
    return number_pattern("0.##########").apply(value, FRENCH)


FILTERS = {
    "nombre": nombre,
    "pourcentage": pourcentage,
    "date_courte": date_courte,
    "date_longue": date_longue,
    "date_heure": date_heure,
    "jour_et_date": jour_et_date,
    "heure": heure,
}


def init_app(app) -> None:
    app.jinja_env.filters.update(FILTERS)
