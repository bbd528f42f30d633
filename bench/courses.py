"""The lesson page under gunicorn, against the platform's floor and the smallest Flask page.

Three servers run at once (gunicorn, 2 sync workers each) and wrk alternates between them in
each round: a reload of a lesson already opened, by a logged-in learner, which still checks
whether the visit is a new reading (courses.progress.REVISIT); the platform's empty page,
logged in (bench.floor: what any page costs before its own work); the minimal Flask page.
Each ratio is the median of the rounds' ratios, so that a noisy neighbour weighs on all alike.
The cores that wrk and each server used are measured in every run and printed: the client is
not what sets the rate if it uses a fraction of a core while the server takes the rest.
"""

import statistics

from courses import progress

from .http import ROUNDS, cookie_header, cores, gunicorn, logged_in_opener, wrk_measure

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
    with (
        gunicorn("wsgi:app", env) as base,
        gunicorn("bench.floor:app", env) as floor_base,
        gunicorn("bench.minimal:app", {}) as minimal_base,
    ):
        opener = logged_in_opener(base, learner_email, password)
        opener.open(base + path).read()  # the first visit, recorded
        lesson_cookie = cookie_header(opener)
        floor_cookie = cookie_header(logged_in_opener(floor_base, learner_email, password))
        rounds = [
            (
                wrk_measure(base + path, lesson_cookie),
                wrk_measure(floor_base + FLOOR, floor_cookie),
                wrk_measure(minimal_base + "/"),
            )
            for _ in range(ROUNDS)
        ]
    pages = ("page de leçon", "page vide", "page minimale")
    print(f"  ({cores({name: [r[i] for r in rounds] for i, name in enumerate(pages)})})")
    floor = statistics.median(r[1].rate for r in rounds)
    minimal = statistics.median(r[2].rate for r in rounds)

    def paired(page: int, baseline: int, base_rate: float) -> float:
        """The page's rate implied by the median of the rounds' paired ratios."""
        return base_rate * statistics.median(r[page].rate / r[baseline].rate for r in rounds)

    lesson_name = "page de leçon (gunicorn, 2 workers)"
    minimal_name = "page Flask minimale, servie de même"
    floor_name = "page vide de la plateforme, connecté"
    return [
        (f"{lesson_name} [objectif ≥ 0,6]", paired(0, 2, minimal), minimal_name, minimal, "req/s"),
        (lesson_name, paired(0, 1, floor), floor_name, floor, "req/s"),
        (floor_name, paired(1, 2, minimal), minimal_name, minimal, "req/s"),
    ]
