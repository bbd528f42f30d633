"""`python -m bench profile`: where a lesson page's time goes (cProfile, in-process).

The same reload of a lesson as the lesson bench, through Flask's test client, each request in
its own app context (its user loaded, as under gunicorn); the functions taking the most
cumulative time are printed.
"""

import cProfile
import pstats

from courses import progress

from .accounts import PASSWORD
from .xapi import outside_app_context

REQUESTS = 300


def profile_lesson_page(app, email: str) -> None:
    module = progress.catalogue().modules[1]
    path = f"/modules/{module.slug}/{module.lessons[3].slug}"

    def run():  # outside the bench's app context: each request loads its user, as in production
        client = app.test_client()
        signed_in = client.post("/connexion", data={"email": email, "password": PASSWORD})
        assert signed_in.status_code == 302
        for _ in range(20):
            assert client.get(path).status_code == 200
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(REQUESTS):
            client.get(path)
        profiler.disable()
        return profiler

    stats = pstats.Stats(outside_app_context(run)).strip_dirs().sort_stats("cumulative")
    print(f"Profil de {REQUESTS} pages de leçon ({path}) :")
    stats.print_stats(35)
