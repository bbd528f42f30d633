"""GET /xapi/statements as xAPI 1.0.3 defines it, read by tincan's RemoteLRS over a real port.

The statements are those a learner's journey through the pages really made (tests/lms/
xapi_journey.py); tincan is ADL's client library, not ours.
"""

import json
import threading
from datetime import datetime

import pytest
from tincan import Activity, Agent, AgentAccount, Group, RemoteLRS, Verb
from werkzeug.serving import make_server

from cafeia import create_app
from lms.extensions import db
from lms.xapi.vocabulary import VERBS
from tests.conftest import free_port, make_config
from tests.lms.xapi_journey import CREDENTIALS, XAPI, journey, rows_of, verb_name

BASE_URL = "http://cafeia.test"
STATUS = BASE_URL + "/formation/statut-animateur"
MODULE_ONE = BASE_URL + "/formation/modules/module-un"


@pytest.fixture
def lrs(database_uri):
    """The platform on 127.0.0.1, as a warehouse would reach it, and tincan pointed at it."""
    live = create_app(make_config(database_uri, **CREDENTIALS))
    server = make_server("127.0.0.1", free_port(), live, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield RemoteLRS(
        endpoint=f"http://127.0.0.1:{server.server_port}/xapi/",
        username=CREDENTIALS["XAPI_READ_USERNAME"],
        password=CREDENTIALS["XAPI_READ_PASSWORD"],
    )
    server.shutdown()
    thread.join()
    with live.app_context():
        db.engine.dispose()


@pytest.fixture
def learner(app, client, auth, create_user):
    return journey(app, client, auth, create_user)


def agent_of(user, home_page=BASE_URL) -> Agent:
    return Agent(account=AgentAccount(home_page=home_page, name=user.pseudonym))


def query(lrs, **filters) -> list:
    """Every statement matching, page after page through `more`."""
    response = lrs.query_statements(filters)
    assert response.success, (response.response.status, response.data)
    statements, more = list(response.content.statements), response.content.more
    while more:
        response = lrs.more_statements(more)
        assert response.success, (response.response.status, response.data)
        statements += response.content.statements
        more = response.content.more
    return statements


def ids(statements) -> list[str]:
    return [str(s.id) for s in statements]


def split(learner):
    """The learner's statements: those served, the voided « earned », its « voided »."""
    rows = rows_of(learner)
    voiding = next(r for r in rows if verb_name(r) == "voided")
    served = [r.id for r in rows if r.id != voiding.object_id]
    return served, voiding.object_id, voiding.id


def test_about_needs_neither_credentials_nor_version(lrs):
    response = RemoteLRS(endpoint=lrs.endpoint, version="1.0.0").about()
    assert response.success and response.content.version == ["1.0.3"]
    assert response.response.getheader("X-Experience-API-Version") == "1.0.3"


def test_paging_through_more_gives_every_served_statement_once(lrs, learner):
    served, voided, voiding = split(learner)
    newest_first = query(lrs, agent=agent_of(learner), limit=4)
    assert len(served) > 8  # several pages
    assert ids(newest_first) == list(reversed(served))
    assert voided not in ids(newest_first) and voiding in ids(newest_first)
    assert ids(query(lrs, agent=agent_of(learner), limit=3, ascending=True)) == served
    everything = lrs.query_statements({"limit": 0}).content  # 0: the server's maximum (500)
    assert everything.more == "" and set(served) <= set(ids(everything.statements))
    for statement in newest_first:
        assert statement.authority.account.home_page == BASE_URL and statement.stored


def test_agent_is_matched_by_its_whole_identifier(lrs, learner, create_user):
    other = create_user()  # another person, registered: one statement
    assert len(query(lrs, agent=agent_of(other))) == 1
    elsewhere = agent_of(learner, home_page="https://autre-plateforme.example")
    assert query(lrs, agent=elsewhere) == []
    assert query(lrs, agent=Agent(mbox="mailto:claire.petit@exemple.fr")) == []
    assert query(lrs, agent=Agent(mbox_sha1sum="a" * 40)) == []
    assert query(lrs, agent=Group(account=agent_of(learner).account)) == []
    authority = Agent(account=AgentAccount(home_page=BASE_URL, name="plateforme"))
    assert query(lrs, agent=authority) == []  # no person by that name
    assert len(query(lrs, agent=authority, related_agents=True)) == len(split(learner)[0]) + 1


def test_voiding_statement_answers_the_filters_of_what_it_voids(lrs, learner):
    served, voided, voiding = split(learner)
    earned = Verb(id=VERBS["earned"][0])
    restored = [r.id for r in rows_of(learner) if r.verb == earned.id and r.id != voided]
    # The voided « earned » has left; its « voided » is found by the earned verb and object.
    assert sorted(ids(query(lrs, verb=earned))) == sorted([*restored, voiding])
    status = query(lrs, activity=Activity(id=STATUS))
    assert sorted(ids(status)) == sorted([*restored, voiding])
    assert ids(query(lrs, verb=Verb(id=VERBS["voided"][0]))) == [voiding]


def test_related_activities_reach_the_context(lrs, learner):
    module = Activity(id=MODULE_ONE)
    alone = query(lrs, activity=module)
    related = query(lrs, activity=module, related_activities=True)
    assert {s.verb.id.rsplit("/", 1)[1] for s in alone} == {"launched", "completed"}
    verbs = {s.verb.id.rsplit("/", 1)[1] for s in related}
    assert {"experienced", "attempted", "passed", "failed", "launched", "completed"} <= verbs
    assert all(
        s.object.id == MODULE_ONE
        or MODULE_ONE in {a.id for a in s.context.context_activities.parent or []}
        for s in related
    )


def test_every_statement_relates_to_the_training(lrs, learner):
    """Every statement names the training in its grouping, though no row says so."""
    training = Activity(id=BASE_URL + "/formation")
    everything = query(lrs)
    related = query(lrs, activity=training, related_activities=True)
    assert len(everything) > 10 and ids(related) == ids(everything)
    assert all(
        training.id in {a.id for a in s.context.context_activities.grouping} for s in related
    )
    as_object = query(lrs, activity=training)  # « registered », for one
    assert 0 < len(as_object) < len(everything)
    assert all(s.object.id == training.id for s in as_object)


def test_registration_since_and_until(lrs, learner, create_user):
    create_user()
    served, _, _ = split(learner)
    mine = query(lrs, registration=learner.registration)
    assert sorted(ids(mine)) == sorted(served)
    middle = sorted(mine, key=lambda s: s.stored)[len(mine) // 2].stored
    since, until = query(lrs, since=middle.isoformat()), query(lrs, until=middle.isoformat())
    assert all(s.stored > middle for s in since) and all(s.stored <= middle for s in until)
    assert len(since) + len(until) == len(mine) + 1  # and the other person's registration


def test_retrieve_one_statement_and_the_voided_one(lrs, learner):
    served, voided, voiding = split(learner)
    one = lrs.retrieve_statement(served[0])
    assert one.success and str(one.content.id) == served[0]
    assert one.content.actor.account.name == learner.pseudonym
    last_modified = one.response.getheader("Last-Modified")
    assert last_modified and one.response.getheader("X-Experience-API-Consistent-Through")
    assert lrs.retrieve_statement(voided).response.status == 404
    again = lrs.retrieve_voided_statement(voided)
    assert again.success and str(again.content.id) == voided
    assert again.content.verb.id == VERBS["earned"][0]
    assert lrs.retrieve_voided_statement(voiding).response.status == 404  # not voided
    assert lrs.retrieve_statement("5b0d7e2c-0000-4000-8000-000000000000").response.status == 404


def test_formats_ids_and_canonical(client, learner):
    auth = (CREDENTIALS["XAPI_READ_USERNAME"], CREDENTIALS["XAPI_READ_PASSWORD"])
    client.application.config.update(CREDENTIALS)

    def first(**args):
        response = client.get(
            "/xapi/statements",
            query_string={"activity": MODULE_ONE, "ascending": "true", **args},
            headers={**XAPI, "Accept-Language": "en-US,en;q=0.8"},
            auth=auth,
        )
        assert response.status_code == 200, response.json
        return response.json["statements"][0]

    exact, ids_only, canonical = first(), first(format="ids"), first(format="canonical")
    assert exact["verb"]["display"] == {"fr-FR": "a lancé", "en-US": "launched"}
    assert ids_only["verb"] == {"id": VERBS["launched"][0]}
    assert ids_only["object"] == {"objectType": "Activity", "id": MODULE_ONE}
    assert ids_only["actor"] == exact["actor"] and "name" not in ids_only["authority"]
    assert canonical["verb"]["display"] == {"en-US": "launched"}
    assert list(canonical["object"]["definition"]["name"]) == ["fr-FR"]  # the only one there
    assert canonical["actor"] == exact["actor"]


def test_consistent_through_is_a_past_moment(client, app):
    app.config.update(CREDENTIALS)
    response = client.get("/xapi/statements", headers=XAPI, auth=tuple(CREDENTIALS.values()))
    through = datetime.fromisoformat(response.headers["X-Experience-API-Consistent-Through"])
    assert through.tzinfo and through < datetime.now(through.tzinfo)
    assert json.loads(response.data) == {"statements": [], "more": ""}
