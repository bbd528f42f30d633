"""Demo content: accounts that exist only here, never in a production set-up.

Features add their own demo steps (progress, attempts…) with @demo_step; every step is
idempotent, so `flask lms demo` can run again without changing anything.
"""

from collections.abc import Callable

from .accounts.services import create_user, find_by_email

DEMO_PASSWORD = "cafeia-demo"

DEMO_ACCOUNTS = [
    dict(
        email="apprenant@exemple.fr",
        role="apprenant",
        first_name="Camille",
        last_name="Martin",
        profile="conseiller",
        structure="Médiathèque François-Mitterrand",
        commune="Lorient",
        departement_code="56",
    ),
    dict(
        email="formateur@exemple.fr",
        role="formateur",
        first_name="Karim",
        last_name="Benali",
        profile="autre",
        structure="Hub numérique Bretagne",
        commune="Rennes",
        departement_code="35",
    ),
    dict(
        email="admin@exemple.fr",
        role="admin",
        first_name="Sophie",
        last_name="Durand",
        profile="autre",
        structure="ANCT",
        commune="Paris",
        departement_code="75",
    ),
]

_steps: list[tuple[int, Callable]] = []


def demo_step(function: Callable | None = None, *, order: int = 100):
    """Register `function(find_user)`; find_user(email) returns a demo account.

    Steps run by `order` (then registration), never by import order: a step may rely on the
    people an earlier one created. `@demo_step` alone runs after the numbered ones.
    """

    def register(step: Callable) -> Callable:
        _steps.append((order, step))
        return step

    return register(function) if function else register


def load_demo() -> int:
    """Create what is missing; a second run changes nothing."""
    created = 0
    for account in DEMO_ACCOUNTS:
        if not find_by_email(account["email"]):
            create_user(password=DEMO_PASSWORD, **account)
            created += 1
    for _, step in sorted(_steps, key=lambda entry: entry[0]):
        step(find_by_email)
    return created
