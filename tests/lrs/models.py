"""Ralph's pydantic xAPI models (ralph.models.xapi, in .venv-ralph) as a validator: someone
else's reading of xAPI 1.0.3, run in Ralph's own environment."""

import json
import subprocess

import pytest

from .server import RALPH_PYTHON

VALIDATE = """
import json, sys
from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement

errors = []
for statement in json.load(sys.stdin):
    try:
        BaseXapiStatement.model_validate(statement)
        errors.append(None)
    except ValidationError as error:
        errors.append(str(error))
print(json.dumps(errors))
"""


def ralph_errors(statements: list[dict]) -> list[str | None]:
    """Ralph's error for each statement, None where it has none."""
    if not RALPH_PYTHON.exists():
        # A missing validator is a failure, not a skip: `make test` installs it.
        pytest.fail(f"Ralph manque ({RALPH_PYTHON}) : make test l'installe (tests/lrs/install.sh)")
    done = subprocess.run(
        [str(RALPH_PYTHON), "-c", VALIDATE],
        input=json.dumps(statements),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)
