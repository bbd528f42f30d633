"""The lesson page under gunicorn, against the smallest Flask page served the same way."""

import urllib.request

from courses import progress

from .http import gunicorn, logged_in_opener, requests_per_second


def bench_lesson_page(app, learner_email: str, password: str):
    env = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "bench",
        "BASE_URL": app.config["BASE_URL"],
        "LOGIN_RATE_LIMIT": "1000 per minute",
    }
    module = progress.catalogue().modules[1]
    path = f"/modules/{module.slug}/{module.lessons[3].slug}"
    with gunicorn("wsgi:app", env) as base:
        lesson = requests_per_second(logged_in_opener(base, learner_email, password), base + path)
    with gunicorn("bench.minimal:app", {}) as base:
        minimal = requests_per_second(urllib.request.build_opener(), base + "/")
    return (
        "page de leçon (gunicorn, 2 workers)",
        lesson,
        "page Flask minimale, servie de même",
        minimal,
        "req/s",
    )
