"""Reading the query string: a value no link of ours produces is a 400 in French, never a 500.

`int()` reads « ٣ », « 1_000 » or « +5 », and any length; Python dates reach the year 9999, where
one more day overflows. Every view that reads `request.args` goes through these helpers.
"""

import re
from datetime import date

from flask import abort, make_response, request

from .converters import DATABASE_INT_MAX
from .formatting import nombre

ASCII_DIGITS = re.compile(r"[0-9]{1,10}")
# The platform's dates (sign-ups, statements) fall between these; a filter outside is a typo.
EARLIEST_DATE = date(2020, 1, 1)
LATEST_YEARS_AHEAD = 5


def refuse(message: str):
    """Stop the request with a 400 page carrying this French message."""
    from .errors import render_error

    abort(make_response(render_error(400, message)))


def database_int(raw) -> int | None:
    """An integer as a link or a form writes it (ASCII digits, 32-bit), else None."""
    if not isinstance(raw, str) or not ASCII_DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= DATABASE_INT_MAX else None


def int_arg(name: str, default: int, minimum: int = 1, maximum: int = DATABASE_INT_MAX) -> int:
    """The whole number `name` of the query string, from `minimum` to `maximum`; absent: default."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    value = database_int(raw)
    if value is None or not minimum <= value <= maximum:
        refuse(f"« {name} » doit être un nombre entier de {_french(minimum)} à {_french(maximum)}.")
    return value


def _french(number: int) -> str:
    return nombre(number)  # 100 000, with a narrow no-break space


def latest_date() -> date:
    return date(date.today().year + LATEST_YEARS_AHEAD, 12, 31)


def date_in_range(day: date) -> bool:
    """A date the platform can mean: from EARLIEST_DATE to the end of a few years ahead."""
    return EARLIEST_DATE <= day <= latest_date()


def date_range_message() -> str:
    first, last = EARLIEST_DATE.strftime("%d/%m/%Y"), latest_date().strftime("%d/%m/%Y")
    return f"Date hors de la période possible : choisissez-la entre le {first} et le {last}."
