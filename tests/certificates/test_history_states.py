"""A status history that outlives the people in it: the pages stay up and tell the truth.

Found while walking tests/test_stateful.py's states: the admin who revoked a status may delete
their account; the change then has no author, and must not read « Automatique, critères
remplis », which only the platform's own grants are.
"""

import re

from certificates.demo import certify
from tests.conftest import PASSWORD


def author_cells(page: str) -> list[str]:
    """The « Par » column of the history table, row by row."""
    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>\s*<td>([^<]*)</td>", page)
    return [f"{label} | {author}" for label, author in rows]


def test_a_change_by_a_deleted_account_says_so(client, auth, create_user):
    person = create_user()
    certify(person)
    admin = create_user(role="admin")
    auth.login(admin.email)
    client.submit(f"/admin/animateurs/{person.id}/revoquer", {"reason": "Erreur de saisie"})
    client.submit(f"/admin/animateurs/{person.id}/retablir", {"reason": "Erreur corrigée"})
    client.submit("/mon-compte/supprimer", {"password": PASSWORD, "confirm": "y"})

    auth.login(person.email)
    page = client.get("/mon-statut")
    assert page.status_code == 200
    cells = author_cells(page.get_data(as_text=True))
    assert cells == [
        "Animateur·rice Café IA certifié·e | Automatique, critères remplis",
        "Statut révoqué | Compte supprimé",
        "Statut rétabli | Compte supprimé",
    ]


def test_a_change_by_a_present_account_names_them(client, auth, create_user):
    person = create_user()
    certify(person)
    admin = create_user(role="admin", first_name="Nadia", last_name="Admin")
    auth.login(admin.email)
    client.submit(f"/admin/animateurs/{person.id}/revoquer", {"reason": "Erreur de saisie"})

    page = client.get(f"/admin/animateurs/{person.id}").get_data(as_text=True)
    assert author_cells(page)[-1] == "Statut révoqué | Nadia Admin"
