"""The accounts a benchmark acts through: fake people, one password."""

from lms.accounts.services import add_user

PASSWORD = "banc-d-essai-mot-de-passe"


def bench_account(email: str, role: str = "apprenant", last_name: str = "Essai"):
    """Added to the session (not committed): the caller commits with its own rows."""
    return add_user(
        email=email,
        password=PASSWORD,
        role=role,
        first_name="Banc",
        last_name=last_name,
        profile="autre",
        structure="",
        commune="",
        departement_code="35",
    )
