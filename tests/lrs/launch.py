"""Serve the real Ralph LRS API on 127.0.0.1:<argv[1]>.

Run by .venv-ralph/bin/python (see server.py); Ralph reads its configuration
from the RALPH_* environment variables set there.
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

# Ralph 5.1's fs LRS backend writes every batch to the same fs_lrs.jsonl with
# the CREATE operation, so the second POST fails with "... already exists".
# Appending is what an LRS needs; the rest stays stock Ralph.
FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    # Not `ralph runserver`: it binds 0.0.0.0. Same process (no reload/workers),
    # so the patch above applies to the app uvicorn imports.
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]))
