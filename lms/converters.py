"""URL converters: a path integer the database cannot hold is a plain 404, never an error."""

import builtins

from werkzeug.routing import IntegerConverter

# Every primary key is a 32-bit signed INTEGER on PostgreSQL; SQLite stops at 64 bits.
DATABASE_INT_MAX = 2**31 - 1


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:…>` bounded to what a primary key can be, and ASCII digits only.

    Werkzeug's own converter reads `\\d+`, which also matches « ٣ » or « ² », and any length:
    `/annuaire/99999999999999999999` would reach the database and overflow there.
    """

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=DATABASE_INT_MAX, signed=False):
        # A rule may ask for a lower maximum, never for more than the database holds.
        # (`min` and `max` are the names Werkzeug passes: `<int(max=99):n>`.)
        bounded = DATABASE_INT_MAX if max is None else builtins.min(max, DATABASE_INT_MAX)
        super().__init__(map, fixed_digits, min, bounded, signed)


def register(app) -> None:
    """Called before any blueprint is registered: rules pick their converter when added."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
