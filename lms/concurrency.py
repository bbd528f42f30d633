"""Writes that two requests may make at once: the second gets the result of the first.

A double click, two tabs, a retried request: the platform sends the same write twice, often at
the same moment. Every feature answers it with the same two tools:

- `retry_on_conflict(work)`, for a write that *creates* a row guarded by a unique constraint
  (a module's progress, a membership, the open attempt of a quiz). Both requests look, find
  nothing and insert; the database keeps one and refuses the other (IntegrityError). That one
  rolls back and runs its work again, which now reads the row the other request committed and
  does what a later request would have done. The constraint is the guard; the retry is the
  answer.
- `claim(update)`, for a write that *changes a state once* (a lesson completed, an attempt
  graded, a status revoked): a conditional UPDATE … WHERE completed_at IS NULL that only one
  request can match. Only the request that won records the change's xAPI statements.

A form whose every send would create something new (a readiness answer, a cohort, a relayed
message) carries a one-time token, `new_submission()`, in its hidden field `envoi`; the write
keeps it under a unique constraint, so the page sent twice is one submission (`submission_of`).

`locked(select)` reads a row FOR UPDATE (on PostgreSQL; SQLite has a single writer anyway),
for a decision that depends on rows other requests may be writing (« was that the last lesson
of the module? »).
"""

import logging
import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Select, Update
from sqlalchemy.exc import IntegrityError

from .extensions import db

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 3  # a row is created once: the second run finds it; the third is only a safety net
SUBMISSION = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what new_submission() makes


def retry_on_conflict(work: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run `work` (a unit that ends with its commit); on a unique conflict, roll back and rerun.

    The session must hold nothing uncommitted when this is called: the rollback would drop it.
    """
    for _ in range(attempts - 1):
        try:
            return work()
        except IntegrityError as error:
            db.session.rollback()
            log.info("écriture concurrente, nouvel essai (%s)", error.orig.__class__.__name__)
    return work()  # a third conflict is no race any more: let it be seen


def claim(statement: Update) -> bool:
    """Run a conditional UPDATE; True only for the request whose UPDATE matched its row.

    On PostgreSQL the second UPDATE waits for the first transaction and then re-reads the row,
    so its condition no longer holds; on SQLite it waits for the single writer. Either way,
    rowcount says who won.
    """
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return result.rowcount == 1


def locked(statement: Select) -> Select:
    """The same SELECT, locking its rows until the commit and refreshing objects already loaded."""
    return statement.with_for_update().execution_options(populate_existing=True)


def new_submission() -> str:
    """A token for one form page: sending that page twice makes its write once."""
    return secrets.token_urlsafe(16)


def submission_of(form) -> str:
    """The form's token (`envoi`), or a new one for a form without (or with a malformed) token:
    such a form, from a page older than its token, is written as before, once per send."""
    token = form.get("envoi", "")
    return token if SUBMISSION.fullmatch(token) else new_submission()
