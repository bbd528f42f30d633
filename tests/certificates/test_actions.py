"""The status actions called directly: the guards the pages' forms never let through."""

import pytest

from certificates import actions, status
from certificates.demo import certify


def test_a_blank_reason_is_refused_and_nothing_changes(create_user):
    person, admin = create_user(), create_user(role="admin")
    certify(person)
    with pytest.raises(actions.StatusRefused) as refused:
        actions.act(person, admin, actions.REVOKE, "   ")
    assert refused.value.code == 422 and refused.value.message == actions.REASON_REQUIRED
    assert status.status_of(person) == status.CERTIFIED


def test_revoking_twice_says_there_is_nothing_to_do(create_user):
    person, admin = create_user(), create_user(role="admin")
    certify(person)
    assert actions.act(person, admin, actions.REVOKE, "Absent").message == "Statut révoqué."
    with pytest.raises(actions.StatusRefused) as refused:
        actions.act(person, admin, actions.REVOKE, "Absent")
    assert refused.value.code == actions.NOTHING_TO_DO
    assert status.status_of(person) == status.REVOKED


def test_an_unknown_action_is_a_programming_error(create_user):
    with pytest.raises(ValueError):
        actions.act(create_user(), create_user(role="admin"), "supprimer", "Motif")
