"""Sending e-mail through a real local SMTP server: one connection per batch, opened again
when the server has closed it, and a refusal that stops nothing but its own message."""

import pytest
from aiosmtpd.controller import Controller

from lms import mail
from tests.conftest import free_port


@pytest.fixture
def server(smtp_server):
    return smtp_server


def _send(n: int, prefix: str = "p") -> None:
    for i in range(n):
        mail.send_notice(f"{prefix}{i}@exemple.fr", "Objet", "Corps", kind="test")


def test_a_batch_goes_through_one_connection_and_single_mails_each_through_their_own(server):
    with mail.one_session():
        _send(5)
    _send(2, prefix="seul")
    assert [m["To"] for m in server.messages] == [f"p{i}@exemple.fr" for i in range(5)] + [
        "seul0@exemple.fr",
        "seul1@exemple.fr",
    ]
    assert len(set(server.peers[:5])) == 1
    assert len(set(server.peers)) == 3


def test_a_session_the_server_closed_is_opened_again(server):
    with mail.one_session():
        _send(1)
        server.controller.stop()  # the server goes away with the open session
        server.controller = Controller(server, hostname="127.0.0.1", port=server.port)
        server.controller.start()
        _send(2, prefix="apres")
    assert [m["To"] for m in server.messages] == [
        "p0@exemple.fr",
        "apres0@exemple.fr",
        "apres1@exemple.fr",
    ]
    assert len(set(server.peers)) == 2


def test_a_refused_message_fails_alone_and_the_batch_goes_on(server):
    accept = server.handle_DATA

    async def refuse_one(smtp, session, envelope):
        if envelope.rcpt_tos == ["refuse@exemple.fr"]:
            return "554 Message refusé"
        return await accept(smtp, session, envelope)

    server.handle_DATA = refuse_one
    with mail.one_session():
        results = [
            mail.send_notice(to, "Objet", "Corps", kind="test")
            for to in ("a@exemple.fr", "refuse@exemple.fr", "b@exemple.fr")
        ]
    assert results == [True, False, True]
    assert [m["To"] for m in server.messages] == ["a@exemple.fr", "b@exemple.fr"]


def test_nothing_listening_is_a_refusal_inside_a_session_too(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with mail.one_session():
        assert mail.send_notice("a@exemple.fr", "Objet", "Corps", kind="test") is False
