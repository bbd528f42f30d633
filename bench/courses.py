"""The lesson page under gunicorn, against the smallest Flask page served the same way.

Both servers run at once (gunicorn, 2 sync workers each) and wrk alternates between them:
a reload of a lesson already opened, by a logged-in learner, which still checks whether the
visit is a new reading (courses.progress.REVISIT).
"""

from courses import progress

from .http import cookie_header, cores, gunicorn, logged_in_opener, paired_rates

FLOOR = "/banc/plancher"  # bench.floor's page


def bench_lesson_page(app, learner_email: str, password: str):
    env = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "bench",
        "BASE_URL": app.config["BASE_URL"],
        "LOGIN_RATE_LIMIT": "1000 per minute",
    }
    module = progress.catalogue().modules[1]
    path = f"/modules/{module.slug}/{module.lessons[3].slug}"
    with gunicorn("wsgi:app", env) as base, gunicorn("bench.minimal:app", {}) as minimal_base:
        opener = logged_in_opener(base, learner_email, password)
        opener.open(base + path).read()  # the first visit, recorded
        cookie = cookie_header(opener)
        lesson, minimal = paired_rates((base + path, cookie), (minimal_base + "/", ""))
    # Where the lesson's time goes: what any page of the platform costs before its own work.
    with (
        gunicorn("bench.floor:app", env) as base,
        gunicorn("bench.minimal:app", {}) as minimal_base,
    ):
        cookie = cookie_header(logged_in_opener(base, learner_email, password))
        floor, floor_minimal = paired_rates((base + FLOOR, cookie), (minimal_base + "/", ""))
    print(f"  ({cores()})")
    minimal_name = "page Flask minimale, servie de même"
    return [
        ("page de leçon (gunicorn, 2 workers)", lesson, minimal_name, minimal, "req/s"),
        ("page vide de la plateforme, connecté", floor, minimal_name, floor_minimal, "req/s"),
    ]
