"""Places in a page that features fill: the dashboard, a module page…

A feature registers a template and a function that returns its context, so the page that
shows the slot never has to know which features exist.
"""

from collections import defaultdict
from collections.abc import Callable

_slots: dict[str, list[tuple[str, Callable]]] = defaultdict(list)


def fills(slot: str, template: str):
    """Decorator: `function(user, **page) -> dict | None` gives `template`'s context (None hides it)."""

    def decorator(function: Callable) -> Callable:
        _slots[slot].append((template, function))
        return function

    return decorator


def render_slot(slot: str, user, **page) -> list[tuple[str, dict]]:
    filled = [(template, function(user, **page)) for template, function in _slots[slot]]
    return [(template, context) for template, context in filled if context is not None]
