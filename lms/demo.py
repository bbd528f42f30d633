"""Demo content: accounts that exist only here, never in a production set-up.

Features add their own demo steps (progress, attempts…) through hooks.DEMO_DATA; every step
is idempotent, so `flask lms demo` can run again without changing anything.
"""

from . import hooks
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


def load_demo() -> int:
    """Create what is missing; a second run changes nothing."""
    created = 0
    for account in DEMO_ACCOUNTS:
        if not find_by_email(account["email"]):
            create_user(password=DEMO_PASSWORD, **account)
            created += 1
    for step in hooks.demo_steps():
        step(find_by_email)
    return created
