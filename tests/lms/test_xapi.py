"""Recording statements and reading them back (no LRS needed here)."""

import json
import re
import uuid

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import User
from lms.xapi import activity, record
from lms.xapi.models import Delivery, StoredStatement
from lms.xapi.vocabulary import ACTIVITY_TYPES, VERBS

XAPI = {"X-Experience-API-Version": "1.0.3"}
SOME_ID = "5b0d7e2c-0000-4000-8000-000000000000"
ISO_WITH_ZONE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)$"


def payloads(user=None) -> list[dict]:
    rows = db.session.scalars(select(StoredStatement).order_by(StoredStatement.stored))
    return [json.loads(r.payload) for r in rows if user is None or r.user_id == user.id]


def count_statements() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredStatement))


def test_vocabulary_uses_the_registered_iris():
    assert VERBS["completed"][0] == "http://adlnet.gov/expapi/verbs/completed"
    assert VERBS["earned"][0] == "http://id.tincanapi.com/verb/earned"
    assert (
        ACTIVITY_TYPES["cmi.interaction"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    )
    assert all(fr and en for _, fr, en in VERBS.values())


def test_sign_up_records_a_pseudonymous_registration(client):
    from tests.helpers import VALID

    client.submit("/inscription", VALID)
    user = db.session.scalar(select(User))
    (statement,) = payloads(user)
    assert statement["verb"]["id"] == VERBS["registered"][0]
    assert statement["verb"]["display"] == {"fr-FR": "s'est inscrit·e à", "en-US": "registered"}
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "http://cafeia.test", "name": user.pseudonym},
    }
    assert user.email not in json.dumps(statement) and "Claire" not in json.dumps(statement)
    assert statement["object"]["id"] == "http://cafeia.test/formation"
    assert statement["object"]["definition"]["type"] == ACTIVITY_TYPES["course"]
    context = statement["context"]
    assert context["registration"] == user.registration
    assert context["language"] == "fr-FR" and context["platform"] == "Café IA Formation"
    assert context["contextActivities"]["grouping"][0]["id"] == "http://cafeia.test/formation"
    assert str(uuid.UUID(statement["id"])) == statement["id"]
    assert statement["version"] == "1.0.3"
    assert re.match(ISO_WITH_ZONE, statement["timestamp"])


def test_context_carries_parent_module_and_cohort(app, create_user):
    user = create_user()
    module = activity("module", "Données et algorithmes", "modules", "donnees-algorithmes")
    lesson = activity(
        "lesson",
        "La recette des crêpes",
        "modules",
        "donnees-algorithmes",
        "lecons",
        "recette-des-crepes",
    )
    record(user, "completed", lesson, parent=module, cohort="bretagne-2026")
    db.session.commit()
    registered, statement = payloads(user)
    context = statement["context"]
    assert context["contextActivities"]["parent"][0]["id"] == module.id
    assert context["extensions"] == {"http://cafeia.test/xapi/extensions/cohorte": "bretagne-2026"}
    assert statement["object"]["id"] == (
        "http://cafeia.test/formation/modules/donnees-algorithmes/lecons/recette-des-crepes"
    )


def test_progress_and_statement_commit_together_or_not_at_all(client, login_as, monkeypatch):
    """A failure after the lesson is marked done and before the commit leaves neither the
    progress nor its statement."""
    from courses import progress
    from courses.models import LessonProgress

    login_as()
    before = count_statements()

    def failure(*args):
        raise RuntimeError("panne entre l'écriture et le commit")

    monkeypatch.setattr(progress, "update_module_completion", failure)
    with pytest.raises(RuntimeError):
        client.submit("/modules/module-un/lecon-1/terminer")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0
    assert count_statements() == before
    monkeypatch.undo()  # the same request, without the failure: both are there
    assert client.submit("/modules/module-un/lecon-1/terminer").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1
    assert count_statements() > before


def test_statements_wait_in_the_outbox_without_an_lrs(record_statements):
    record_statements(3)
    states = db.session.scalars(select(StoredStatement.delivery)).all()
    assert states and set(states) == {Delivery.PENDING}


# --- reading ---------------------------------------------------------------------------------


def test_statements_api_needs_credentials(app, client, login_as):
    response = client.get("/xapi/statements", headers=XAPI)
    assert response.status_code == 401 and "Basic" in response.headers["WWW-Authenticate"]
    login_as("apprenant")
    assert client.get("/xapi/statements", headers=XAPI).status_code == 403
    login_as("formateur")
    assert client.get("/xapi/statements", headers=XAPI).status_code == 403


def test_puller_reads_with_basic_auth(app, client, record_statements):
    app.config.update(XAPI_READ_USERNAME="entrepot", XAPI_READ_PASSWORD="secret-de-lecture")
    record_statements(2)  # and the learner's registration
    wrong = client.get("/xapi/statements", headers=XAPI, auth=("entrepot", "mauvais"))
    assert wrong.status_code == 401
    response = client.get("/xapi/statements", headers=XAPI, auth=("entrepot", "secret-de-lecture"))
    assert response.status_code == 200
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert len(response.json["statements"]) == 3 and response.json["more"] == ""


def test_statements_api_filters_and_pages(app, client, login_as, create_user, record_statements):
    login_as("admin")
    learner = create_user()
    ids = record_statements(5, user=learner)  # after the learner's registration
    record_statements(2)  # someone else's, after their registration
    agent = json.dumps({"account": {"homePage": "http://cafeia.test", "name": learner.pseudonym}})
    page = client.get(
        "/xapi/statements", headers=XAPI, query_string={"agent": agent, "limit": 2}
    ).json
    seen = [s["id"] for s in page["statements"]]
    while page["more"]:
        page = client.get(page["more"], headers=XAPI).json
        seen += [s["id"] for s in page["statements"]]
    assert set(ids) < set(seen) and len(seen) == 6
    verb = client.get(
        "/xapi/statements", headers=XAPI, query_string={"verb": VERBS["experienced"][0]}
    ).json
    assert len(verb["statements"]) == 7
    one = client.get(
        "/xapi/statements",
        headers=XAPI,
        query_string={
            "activity": "http://cafeia.test/formation/lecons/l3",
            "registration": learner.registration,
        },
    ).json
    assert len(one["statements"]) == 1
    statement = one["statements"][0]
    assert statement["stored"].endswith("+00:00")
    since = client.get(
        "/xapi/statements", headers=XAPI, query_string={"since": statement["stored"]}
    ).json
    until = client.get(
        "/xapi/statements", headers=XAPI, query_string={"until": statement["stored"]}
    ).json
    assert len(since["statements"]) + len(until["statements"]) == 9


@pytest.mark.parametrize(
    "query, message",
    [
        ({"since": "hier"}, "date ISO 8601"),
        ({"until": "2026-01-01T00:00:00"}, "fuseau horaire"),
        ({"agent": "{pas du json"}, "agent xAPI"),
        ({"limit": "-3"}, "entier positif"),
        ({"cursor": "%%%"}, "cursor"),
        ({"couleur": "bleu"}, "« couleur » n'est pas un paramètre"),
        ({"statementId": "pas-un-uuid"}, "UUID"),
        ({"statementId": SOME_ID, "verb": VERBS["passed"][0]}, "ne se combine qu'avec"),
        ({"statementId": SOME_ID, "voidedStatementId": SOME_ID}, "s'excluent"),
        ({"verb": "completed"}, "IRI absolue"),
        ({"activity": "lecon-1"}, "IRI absolue"),
        ({"registration": "42"}, "UUID"),
        ({"agent": '{"mbox": "claire@exemple.fr"}'}, "agent xAPI"),
        ({"agent": '{"mbox": "mailto:c@exemple.fr", "openid": "https://x.fr"}'}, "agent xAPI"),
        ({"agent": '{"account": {"name": "abc"}}'}, "agent xAPI"),
        ({"agent": '{"objectType": "Activity", "id": "https://x.fr"}'}, "agent xAPI"),
        ({"agent": '{"mbox_sha1sum": "pas-un-sha1"}'}, "agent xAPI"),
        ({"agent": "[]"}, "agent xAPI"),
        ({"format": "complet"}, "ids, exact ou canonical"),
        ({"attachments": "true"}, "pièce jointe"),
        ({"ascending": "oui"}, "true ou false"),
        ({"related_agents": "1"}, "true ou false"),
    ],
)
def test_statements_api_refuses_bad_filters(client, login_as, query, message):
    login_as("admin")
    response = client.get("/xapi/statements", headers=XAPI, query_string=query)
    assert response.status_code == 400 and message in response.json["erreur"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


@pytest.mark.parametrize(
    "version, status",
    [(None, 400), ("0.95", 400), ("2.0.0", 400), ("1.1.0", 400), ("1.0.3x", 400)]
    + [("1.0", 200), ("1.0.0", 200), ("1.0.3", 200), ("1.0.9", 200)],
)
def test_the_request_must_say_a_1_0_version(client, login_as, version, status):
    login_as("admin")
    headers = {} if version is None else {"X-Experience-API-Version": version}
    response = client.get("/xapi/statements", headers=headers)
    assert response.status_code == status
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    if status == 400:
        message = response.json["erreur"]
        assert "doit valoir 1.0.3" in message and "must be 1.0.3" in message


def test_every_answer_of_the_api_says_its_version(client, login_as):
    anonymous = client.get("/xapi/statements", headers=XAPI)
    assert anonymous.status_code == 401 and "Basic" in anonymous.headers["WWW-Authenticate"]
    login_as("formateur")
    forbidden = client.get("/xapi/statements", headers=XAPI)
    assert forbidden.status_code == 403 and "ne peut pas lire" in forbidden.json["erreur"]
    unknown = client.get("/xapi/activities", headers=XAPI)
    posted = client.post("/xapi/statements", headers=XAPI)
    assert (unknown.status_code, posted.status_code) == (404, 405)
    about = client.get("/xapi/about")  # no version asked, none needed
    assert about.status_code == 200 and about.json == {"version": ["1.0.3"]}
    for response in (anonymous, forbidden, unknown, posted, about):
        assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_hostile_values_get_a_french_400_never_a_500(client, login_as):
    from lms.xapi.reading import FILTERS, SINGLE
    from tests.helpers import HOSTILE_QUERY

    login_as("admin")
    for name in sorted(FILTERS | SINGLE):
        for value in HOSTILE_QUERY + [
            '{"account": {"homePage": "http://cafeia.test", "name": "\\u0000"}}'
        ]:
            response = client.get("/xapi/statements", headers=XAPI, query_string={name: value})
            assert response.status_code in (200, 400, 404), (name, value)
            assert response.headers["X-Experience-API-Version"] == "1.0.3"
            if "\x00" not in value:  # else the platform's own guard answers (lms/security.py)
                assert response.is_json, (name, value)
            if response.is_json and response.status_code == 400:
                assert response.json["erreur"].startswith("« "), (name, value)


def test_a_single_statement_takes_format_and_attachments_only(app, client, record_statements):
    app.config.update(XAPI_READ_USERNAME="entrepot", XAPI_READ_PASSWORD="secret-de-lecture")
    (one,) = record_statements(1)
    auth = ("entrepot", "secret-de-lecture")
    query = {"statementId": one, "format": "ids", "attachments": "false"}
    response = client.get("/xapi/statements", headers=XAPI, auth=auth, query_string=query)
    assert response.status_code == 200 and response.json["id"] == one
    assert response.json["verb"] == {"id": VERBS["experienced"][0]}
    assert response.headers["Last-Modified"]


def test_a_voided_statement_is_no_longer_served(client, login_as, create_user, record_statements):
    from tincan import StatementRef

    learner = create_user()
    first, second = record_statements(2, user=learner)
    voiding = record(learner, "voided", StatementRef(id=first))
    db.session.commit()
    login_as("admin")
    served = {s["id"] for s in client.get("/xapi/statements", headers=XAPI).json["statements"]}
    assert second in served and voiding.id in served and first not in served


def test_learner_downloads_only_their_own_statements(client, login_as, record_statements):
    record_statements(3)  # another learner
    me = login_as()
    record_statements(2, user=me)
    mine = db.session.scalars(
        select(StoredStatement.id).where(StoredStatement.user_id == me.id)
    ).all()
    assert len(mine) == 3  # registered, then two lessons
    response = client.get("/mon-compte/traces-xapi.json")
    assert sorted(s["id"] for s in response.json["statements"]) == sorted(mine)
    export = client.get("/mon-compte/donnees.json").json
    assert sorted(s["id"] for s in export["traces_xapi"]) == sorted(mine)


def test_deleting_an_account_deletes_its_statements(client, login_as, record_statements):
    from tests.conftest import PASSWORD

    me = login_as()
    my_id = me.id
    record_statements(2, user=me)
    client.submit("/mon-compte/supprimer", {"password": PASSWORD, "confirm": "y"})
    assert db.session.scalar(select(func.count()).where(StoredStatement.user_id == my_id)) == 0


def test_admin_sees_the_outbox(client, login_as, record_statements):
    login_as("admin")
    record_statements(4)  # and one registration
    page = client.get("/admin/xapi").get_data(as_text=True)
    assert "Aucun LRS n'est configuré" in page
    assert '<th scope="row">En attente</th><td>5</td>' in page


def test_a_silent_lrs_times_out_and_nothing_is_lost(app, record_statements):
    """An LRS that accepts the connection and never answers: the forwarder gives up in time."""
    import socket

    from lms.xapi import outbox

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        app.config.update(
            LRS_ENDPOINT=f"http://127.0.0.1:{silent.getsockname()[1]}/xAPI/", LRS_TIMEOUT=0.5
        )
        record_statements(2)
        report = outbox.forward_pass()
    assert report == outbox.Report(deferred=3)
    db.session.expire_all()
    errors = db.session.scalars(select(StoredStatement.last_error)).all()
    assert all("timed out" in error for error in errors)


def test_statements_delivered_before_the_lrs_was_removed_are_said_so(
    client, login_as, record_statements
):
    from lms.xapi.models import Delivery

    login_as("admin")  # a registration: one statement still pending
    for statement_id in record_statements(2):
        db.session.get(StoredStatement, statement_id).delivery = Delivery.DELIVERED
    db.session.commit()
    page = client.get("/admin/xapi").get_data(as_text=True)
    assert "Aucun LRS n'est configuré" in page
    assert "Les 2 déclarations livrées l'ont été à un LRS configuré auparavant." in page
    assert '<th scope="row">Livrées à un LRS configuré auparavant</th><td>2</td>' in page
