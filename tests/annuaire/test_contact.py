"""The contact relay: what a visitor may send, what the logs keep, which listings accept it."""

import logging

import pytest

from certificates import status
from tests.helpers import VISITOR, only_listing, publish


def write_to(client, listing, **changes):
    return client.submit(f"/annuaire/{listing.id}/contact", {**VISITOR, **changes})


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "Mairie\r\nBcc: tous@exemple.fr"),
        ("name", "Mairie\nde Ploemeur"),
        ("name", "Mairie\rde Ploemeur"),
        ("name", "Mairie\tde Ploemeur"),
        ("name", "Mairie\u2028de Ploemeur"),
        ("email", "contact@ploemeur.example\r\nBcc: tous@exemple.fr"),
    ],
)
def test_a_control_character_in_a_one_line_field_is_refused(
    client, auth, animateur, mailbox, field, value
):
    publish(client)
    auth.logout()
    response = write_to(client, only_listing(), **{field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "tient sur une seule ligne" in page
    assert mailbox == []


def test_the_message_may_hold_line_breaks(client, auth, animateur, mailbox):
    publish(client)
    auth.logout()
    response = write_to(client, only_listing(), message="Bonjour,\r\n\r\nUn café en mars ?")
    assert response.status_code == 302 and len(mailbox) == 1


@pytest.fixture
def all_logs(caplog):
    """Every record logged at any level."""
    # "mail.log" is the test's own SMTP server (aiosmtpd), which logs whole messages; set it
    # first, as set_level also sets the capturing handler's level.
    caplog.set_level(logging.WARNING, logger="mail.log")
    caplog.set_level(logging.DEBUG)
    return caplog


def test_the_logs_hold_no_personal_data(client, auth, animateur, mailbox, all_logs):
    publish(client)
    auth.logout()
    all_logs.clear()
    assert write_to(client, only_listing()).status_code == 302
    assert len(mailbox) == 1 and all_logs.records  # something was sent, and logged
    logged = all_logs.text + " ".join(str(record.args) for record in all_logs.records)
    for personal in (VISITOR["name"], VISITOR["email"], animateur.email, "Camille M."):
        assert personal not in logged
    assert "@" not in logged


def test_a_hidden_listing_cannot_be_contacted(client, animateur, mailbox):
    publish(client)
    client.submit("/annuaire/ma-fiche/visibilite", {"visible": "0"})
    assert write_to(client, only_listing()).status_code == 404 and mailbox == []


def test_a_revoked_listing_cannot_be_contacted(client, animateur, create_user, mailbox):
    publish(client)
    status.revoke(animateur, create_user(role="admin"), "Test")
    assert write_to(client, only_listing()).status_code == 404 and mailbox == []


def test_a_listing_with_a_public_address_has_no_relay(client, animateur, mailbox):
    publish(client, contact_mode="email", public_email="camille.public@exemple.fr")
    assert write_to(client, only_listing()).status_code == 404 and mailbox == []


def test_a_reply_to_the_relayed_message_reaches_the_visitor(client, auth, animateur, mailbox):
    from email.utils import parseaddr

    publish(client)
    auth.logout()
    assert write_to(client, only_listing()).status_code == 302
    (message,) = mailbox
    assert parseaddr(message["Reply-To"])[1] == VISITOR["email"]
    assert parseaddr(message["To"])[1] == animateur.email
    assert VISITOR["email"] not in message["From"]
