"""xAPI: every learning event is a statement, stored with the progress it records.

Features record through `record(...)`; the outbox forwards to the LRS; `/xapi/statements`
reads them back.
"""

from flask import Blueprint

bp = Blueprint("xapi", __name__)

from . import views  # noqa: E402,F401
from .recorder import activity, extension_iri, record, training  # noqa: E402

__all__ = ["activity", "bp", "extension_iri", "record", "training"]
