"""The RalphServer harness against the real Ralph LRS, driven by tincan's RemoteLRS."""

import uuid

import pytest

from .server import RALPH_PYTHON, RalphServer

pytestmark = pytest.mark.lrs

if not RALPH_PYTHON.exists():
    # A missing LRS is a failure, not a skip: `make test` installs it.
    pytest.fail(f"Ralph manque ({RALPH_PYTHON}) : make test l'installe (tests/lrs/install.sh)")

from tincan import Activity, Agent, LanguageMap, RemoteLRS, Statement, Verb  # noqa: E402


def make_statement(verb: str = "completed") -> Statement:
    return Statement(
        id=str(uuid.uuid4()),
        actor=Agent(mbox="mailto:learner@example.org", name="Learner"),
        verb=Verb(
            id=f"http://adlnet.gov/expapi/verbs/{verb}",
            display=LanguageMap({"en-US": verb}),
        ),
        object=Activity(id="http://example.org/course/1"),
        # With a timestamp, re-posting the same statement is "equivalent" for Ralph.
        timestamp="2024-01-01T00:00:00Z",
    )


def test_store_restart_and_conflicts(tmp_path):
    server = RalphServer(tmp_path)
    with server:
        assert server.statement_ids() == []
        lrs = RemoteLRS(
            endpoint=server.endpoint, username=server.username, password=server.password
        )
        first, second = make_statement(), make_statement()
        response = lrs.save_statements([first, second])
        assert response.success, (response.response.status, response.data)
        # tincan keeps ids as uuid.UUID objects.
        posted = sorted([str(first.id), str(second.id)])
        assert sorted(server.statement_ids()) == posted

    # Down then back up: the fs backend's data stays on disk.
    with server:
        assert sorted(server.statement_ids()) == posted

        stored = server.statements()[0]
        changed = dict(stored, verb={"id": "http://adlnet.gov/expapi/verbs/failed"})
        new = {**changed, "id": str(uuid.uuid4())}
        # Same id, different content: the whole batch is refused.
        status, _ = server.request("POST", "/xAPI/statements", [new, changed])
        assert status == 409
        # Same id, same content: dropped silently; 204 when nothing is left to store.
        status, body = server.request("POST", "/xAPI/statements", [stored])
        assert (status, body) == (204, b"")

        invalid = {**new, "id": str(uuid.uuid4())}
        del invalid["verb"]
        status, _ = server.request("POST", "/xAPI/statements", [new, invalid])
        assert status == 422
        # Atomic batches: neither refused batch stored `new`.
        assert sorted(server.statement_ids()) == posted
