"""`python -m bench profile`: where a lesson page's time goes (cProfile, in-process).

The same reload of a lesson as the lesson bench, through Flask's test client; the functions
taking the most cumulative time are printed, then the platform's own.
"""

import cProfile
import pstats

from courses import progress

from .accounts import PASSWORD

REQUESTS = 300


def profile_lesson_page(app, email: str) -> None:
    module = progress.catalogue().modules[1]
    path = f"/modules/{module.slug}/{module.lessons[3].slug}"
    client = app.test_client()
    assert client.post("/connexion", data={"email": email, "password": PASSWORD}).status_code == 302
    for _ in range(20):
        assert client.get(path).status_code == 200
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(REQUESTS):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
    print(f"Profil de {REQUESTS} pages de leçon ({path}) :")
    stats.print_stats(35)
