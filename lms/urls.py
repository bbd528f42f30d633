"""Links that leave the platform (e-mails, documents, xAPI): the public address, then the route."""

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    """BASE_URL and the route of `endpoint`, built from the URL map alone: the same link in a
    request, a CLI command or a signal sent outside any request (the demo data, the tests)."""
    path = current_app.url_map.bind("cafeia.local").build(endpoint, values)
    return current_app.config["BASE_URL"] + path
