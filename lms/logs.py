"""The platform's log: one timestamped line per event, on standard error, at LOG_LEVEL.

Audit lines (account created, status granted or revoked, import, relay…) name people by their
opaque id only: never an e-mail address, a name or a code that opens something.
"""

import logging
import re

FORMAT = "%(asctime)s %(levelname)s %(name)s : %(message)s"


# PostgreSQL's errors quote the row they refused (« DETAIL: Key (email)=(…) already exists »):
# a traceback in the log must not carry that row, nor any address that slipped into a message.
_ROW_DETAIL = re.compile(r"^DETAIL: .*$", re.MULTILINE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = _ROW_DETAIL.sub("DETAIL: [masqué]", super().format(record))
        return _EMAIL.sub("[adresse masquée]", text)


class _PlatformHandler(logging.StreamHandler):
    """Ours, so that a second app in the same process does not add a second one."""


def configure_logging(level_name: str) -> None:
    level = logging.getLevelNamesMapping().get(level_name)
    if level is None:
        raise RuntimeError(
            f"LOG_LEVEL : niveau inconnu « {level_name} » (DEBUG, INFO, WARNING, ERROR)."
        )
    root = logging.getLogger()
    if not any(isinstance(handler, _PlatformHandler) for handler in root.handlers):
        handler = _PlatformHandler()
        handler.setFormatter(RedactingFormatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    # Alembic announces its plug-ins at every start; migrations set their own level (alembic.ini).
    # WeasyPrint tells each step of every PDF it lays out: for its authors, not for operators.
    for chatty in ("alembic", "weasyprint", "fontTools"):
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))
