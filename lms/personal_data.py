"""What « télécharger mes données » gathers: each feature adds its own section here."""

from collections.abc import Callable

_providers: dict[str, Callable] = {}


def provides(section: str):
    """Decorator for a function user -> JSON-ready data, exported under `section`."""

    def decorator(function: Callable) -> Callable:
        _providers[section] = function
        return function

    return decorator


def collect(user) -> dict:
    return {section: provider(user) for section, provider in _providers.items()}
