"""E-mail: printed to the console by default, sent by SMTP when MAIL_SERVER is configured."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


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
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("e-mail non envoyé (%s) : %s", kind, type(error).__name__)
        raise MailUnavailable(type(error).__name__) from error
    # The address and the subject can name a person (the relay's subject names the visitor):
    # the log keeps only a label chosen by the caller.
    log.info("e-mail envoyé : %s", kind)


def send_notice(to: str, subject: str, body: str, *, kind: str, attachments: tuple = ()) -> bool:
    """An e-mail that follows a change already committed (a status granted…): a mail server
    that fails must not turn the person's request into an error, so the failure is logged."""
    try:
        send_mail(to, subject, body, kind=kind, attachments=attachments)
    except MailUnavailable:
        return False
    return True
