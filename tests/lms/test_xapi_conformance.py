"""Every kind of statement the platform writes, as its read API serves them, passes Ralph's
pydantic xAPI models (ralph.models.xapi, in .venv-ralph: someone else's reading of xAPI 1.0.3).
"""

import copy

import pytest

from tests.lms.xapi_journey import CREDENTIALS, XAPI, journey, rows_of, verb_name
from tests.lrs.models import ralph_errors
from tests.lrs.server import RALPH_PYTHON

pytestmark = pytest.mark.lrs

if not RALPH_PYTHON.exists():
    # A missing validator is a failure, not a skip: `make test` installs it.
    pytest.fail(f"Ralph manque ({RALPH_PYTHON}) : make test l'installe (tests/lrs/install.sh)")

EVERY_VERB = {
    *("registered", "answered", "launched", "experienced", "completed", "attempted"),
    *("failed", "passed", "earned", "voided"),
    *("schedule", "cancel", "host"),  # the cafés an animateur announces, cancels, holds
}


@pytest.fixture
def served(app, client, auth, create_user):
    """The journey's statements as the read API serves them, in its three formats, and the
    voided one as voidedStatementId serves it."""
    learner = journey(app, client, auth, create_user)
    app.config.update(CREDENTIALS)
    credentials = tuple(CREDENTIALS.values())

    def get(**args):
        response = client.get("/xapi/statements", query_string=args, headers=XAPI, auth=credentials)
        assert response.status_code == 200, response.json
        return response.json

    voided = next(r.object_id for r in rows_of(learner) if verb_name(r) == "voided")
    statements = {
        form: [*get(limit=0, format=form)["statements"], get(voidedStatementId=voided, format=form)]
        for form in ("exact", "ids", "canonical")
    }
    assert {verb_name(r) for r in rows_of(learner)} == EVERY_VERB
    return statements


def test_every_kind_of_statement_passes_ralphs_models(served):
    for form, statements in served.items():
        verbs = {s["verb"]["id"].rsplit("/", 1)[1] for s in statements}
        assert verbs == EVERY_VERB, form
        errors = [
            (s["verb"]["id"], e)
            for s, e in zip(statements, ralph_errors(statements), strict=True)
            if e
        ]
        assert errors == [], form


def test_ralph_would_refuse_a_platform_on_a_statement_ref(served):
    """The check has teeth: the voided statement as it used to be written is refused."""
    voiding = next(s for s in served["exact"] if s["object"]["objectType"] == "StatementRef")
    assert "platform" not in voiding["context"] and "revision" not in voiding["context"]
    former = copy.deepcopy(voiding)
    former["context"]["platform"] = "Café IA Formation"
    (error,) = ralph_errors([former])
    assert "platform properties can only be used if the Statement's Object is an Activity" in error
