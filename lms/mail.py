"""E-mail: printed to the console by default, sent by SMTP when MAIL_SERVER is configured."""

import logging
import smtplib
from contextlib import contextmanager
from contextvars import ContextVar
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)
# The SMTP session that one_session() keeps open for the e-mails sent inside it.
_session: ContextVar[dict | None] = ContextVar("smtp_session", default=None)


class MailUnavailable(smtplib.SMTPException):
    """The mail server refused or could not be reached: nothing was sent.

    A request whose purpose is the e-mail (a reset link, a relayed message) and that does not
    catch it answers 503 with a French page (lms/errors.py): the visitor may simply retry.
    """


def send_mail(
    to: str,
    subject: str,
    body: str,
    *,
    kind: str = "message",
    attachments: tuple = (),
    reply_to: str | None = None,
) -> None:
    """Send one e-mail; `kind` is a fixed label for the log, such as "relais annuaire".
    `attachments`: (filename, "type/subtype", bytes) triples, such as a café's .ics.
    `reply_to`: where a reply goes instead of the no-reply sender (a relayed visitor)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(body)
    for filename, mimetype, content in attachments:
        maintype, subtype = mimetype.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    if not config["MAIL_SERVER"]:
        print(f"--- e-mail (aucun serveur SMTP configuré) ---\n{message}", flush=True)
        return
    try:
        _deliver(config, message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("e-mail non envoyé (%s) : %s", kind, type(error).__name__)
        raise MailUnavailable(type(error).__name__) from error
    # The address and the subject can name a person (the relay's subject names the visitor):
    # the log keeps only a label chosen by the caller.
    log.info("e-mail envoyé : %s", kind)


@contextmanager
def one_session():
    """Send the e-mails of a batch (a large import's invitations) through one SMTP session.

    Opening a connection for each message (connect, EHLO, TLS, login, QUIT) cost more than the
    message itself, and mail providers limit how many connections a sender opens. A session
    the server closed meanwhile (idle, or its limit of messages reached) is opened again once.
    """
    session = {"smtp": None}
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)
        _close(session)


def _deliver(config, message: EmailMessage) -> None:
    session = _session.get()
    if session is None:
        with _connect(config) as smtp:
            smtp.send_message(message)
        return
    if session["smtp"] is not None:
        try:
            session["smtp"].send_message(message)
            return
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            _close(session)
    session["smtp"] = _connect(config)
    try:
        session["smtp"].send_message(message)
    except (OSError, smtplib.SMTPException):
        _close(session)
        raise


def _connect(config) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
    try:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def _close(session: dict) -> None:
    smtp, session["smtp"] = session["smtp"], None
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def send_notice(to: str, subject: str, body: str, *, kind: str, attachments: tuple = ()) -> bool:
    """An e-mail that follows a change already committed (a status granted…): a mail server
    that fails must not turn the person's request into an error, so the failure is logged."""
    try:
        send_mail(to, subject, body, kind=kind, attachments=attachments)
    except MailUnavailable:
        return False
    return True
