"""LTI 1.3 against a real platform implementation (lti1p3platform), served on 127.0.0.1."""

import html
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from sqlalchemy import func, select

from certificates import status
from cohorts import services as cohorts
from cohorts.models import CohortMember, CohortTrainer
from courses import progress
from lms import hooks
from lms.extensions import db
from lms.models import Role, User, utcnow
from lti import tool
from lti.models import Context, GradeDelivery, Identity, Nonce, Platform
from quizzes import services as quizzes
from quizzes.models import QuizAttempt
from tests.helpers import certify
from tests.lti.platform import Platform as LmsPlatform
from tests.lti.platform import new_private_key


@pytest.fixture
def lms(app, client):
    """The LMS running, and registered with the tool as an admin would."""
    platform = LmsPlatform().start()
    platform.tool_login_url = "http://localhost/lti/connexion"
    platform.tool_launch_url = "http://localhost/lti/lancement"
    platform.tool_key_set = client.get("/lti/jwks.json").get_json()
    db.session.add(
        Platform(
            name="Moodle de test",
            issuer=platform.url,
            client_id=platform.client_id,
            deployment_ids=platform.deployment_id + "\nautre-deploiement",
            auth_login_url=f"{platform.url}/auth",
            token_url=f"{platform.url}/token",
            jwks_url=f"{platform.url}/jwks",
        )
    )
    db.session.commit()
    tool._tokens.clear()
    yield platform
    platform.stop()


def start(client, lms, **launch):
    """The login initiation, then the platform's answer: (launch URL, its form)."""
    answer = client.get("/lti/connexion", query_string=lms.prepare(**launch))
    assert answer.status_code == 302, answer.text
    authorize = answer.headers["Location"]
    assert authorize.startswith(f"{lms.url}/auth?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["redirect_uri"] == ["http://localhost/lti/lancement"]
    form = requests.get(authorize, timeout=5).json()
    return form.pop("launch_url"), form


def launch(client, lms, **launch_options):
    url, form = start(client, lms, **launch_options)
    return client.post(urlsplit(url).path, data=form)


def person(sub):
    return db.session.scalar(select(User).join(Identity).where(Identity.sub == sub))


# --- launches --------------------------------------------------------------------------------


def test_instructor_launch_creates_the_cohort_with_them_as_formateur(client, lms):
    answer = launch(client, lms, sub="prof-1", instructor=True, name="Prof Durand")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/modules"
    teacher = person("prof-1")
    assert teacher.role == Role.FORMATEUR
    context = db.session.scalar(select(Context))
    assert context.context_id == "cours-42" and context.title == "Médiation numérique et IA"
    assert context.lineitems_url == f"{lms.url}/lineitems"
    assert context.memberships_url == f"{lms.url}/memberships"
    trainers = cohorts.trainers(
        db.session.get(__import__("cohorts").models.Cohort, context.cohort_id)
    )
    assert teacher in trainers
    assert client.get("/lti/cours").status_code == 200  # signed in: their LMS courses


def test_learner_launch_signs_in_and_joins_the_course_cohort(client, lms, app):
    launch(client, lms, sub="prof-1", instructor=True)
    client.submit("/deconnexion")
    module = progress.catalogue().modules[1]
    answer = launch(client, lms, sub="eleve-1", custom={"module": module.slug})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/modules/{module.slug}"
    learner = person("eleve-1")
    assert learner.role == Role.APPRENANT and learner.first_name == "Camille"
    assert db.session.scalar(select(func.count()).select_from(CohortMember)) == 1
    assert client.get(f"/modules/{module.slug}").status_code == 200
    # The second launch finds the same account: one identity, one membership.
    client.submit("/deconnexion")
    launch(client, lms, sub="eleve-1")
    assert db.session.scalar(select(func.count()).select_from(Identity)) == 2
    assert db.session.scalar(select(func.count()).select_from(CohortMember)) == 1


def test_an_email_already_taken_is_never_the_key_to_that_account(client, lms, create_user):
    owner = create_user(email="camille@exemple.fr")
    launch(client, lms, sub="prof-1", instructor=True, email="camille@exemple.fr")
    arrived = person("prof-1")
    assert arrived.id != owner.id
    assert arrived.email.endswith("@lti.invalid")
    assert db.session.get(User, owner.id).role == Role.APPRENANT


# --- refusals --------------------------------------------------------------------------------


def refused(answer, message):
    assert answer.status_code in (400, 403), answer.status_code
    text = html.unescape(answer.text)
    assert message in text
    assert "Lancement refusé" in text


def test_a_bad_signature_is_refused(client, lms):
    launch(client, lms, sub="prof-1", instructor=True)  # known to us
    client.submit("/deconnexion")
    url, form = start(client, lms, sub="prof-1", instructor=True, signing_key=new_private_key())
    refused(client.post(urlsplit(url).path, data=form), "signature du jeton")
    url, form = start(client, lms, sub="prof-1", instructor=True)
    head, body, signature = form["id_token"].split(".")
    forged = (
        head
        + "."
        + body
        + "."
        + signature[:-6]
        + ("AAAAAA" if signature[-6:] != "AAAAAA" else "BBBBBB")
    )
    refused(client.post(urlsplit(url).path, data={**form, "id_token": forged}), "signature")
    assert client.get("/lti/cours").status_code == 302  # nobody signed in


def test_an_unknown_deployment_is_refused(client, lms):
    answer = client.get("/lti/connexion", query_string=lms.prepare(deployment_id="inconnu"))
    refused(answer, "déploiement n'est pas enregistré")
    # Past the login (which may omit it), the id_token's own deployment claim is checked.
    params = lms.prepare(deployment_id="inconnu")
    params.pop("lti_deployment_id")
    authorize = client.get("/lti/connexion", query_string=params).headers["Location"]
    form = requests.get(authorize, timeout=5).json()
    refused(client.post("/lti/lancement", data=form), "déploiement n'est pas enregistré")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_replayed_nonce_is_refused(client, lms):
    url, form = start(client, lms, sub="eleve-1", instructor=True)
    state_cookie = client.get_cookie("lti_state").value
    assert client.post("/lti/lancement", data=form).status_code == 302
    client.submit("/deconnexion")
    client.set_cookie("lti_state", state_cookie)  # the same browser, the same state
    refused(client.post("/lti/lancement", data=form), "déjà servi")
    assert db.session.scalar(select(Nonce.used_at)) is not None


def test_an_expired_token_is_refused(client, lms):
    url, form = start(client, lms, sub="eleve-1", expiration=-60)
    refused(client.post(urlsplit(url).path, data=form), "expiré")


def test_a_token_for_another_tool_is_refused(client, lms):
    url, form = start(client, lms, sub="eleve-1", audience="un-autre-outil")
    refused(client.post(urlsplit(url).path, data=form), "pas destiné à cet outil")


def test_a_launch_without_its_state_is_refused(client, lms):
    url, form = start(client, lms, sub="eleve-1")
    client.delete_cookie("lti_state")
    refused(client.post(urlsplit(url).path, data=form), "L'état de la connexion est absent")
    url, form = start(client, lms, sub="eleve-1")
    refused(client.post(urlsplit(url).path, data={**form, "state": "autre"}), "état")
    refused(client.post("/lti/lancement", data={"state": form["state"]}), "absent")


def test_an_unknown_platform_is_refused_at_login(client, lms):
    params = {**lms.prepare(), "iss": "https://inconnu.exemple"}
    refused(client.get("/lti/connexion", query_string=params), "pas enregistrée")


# --- deep linking ----------------------------------------------------------------------------


def test_deep_linking_returns_the_chosen_module_to_the_platform(client, lms):
    answer = launch(client, lms, sub="prof-1", instructor=True, deep_link=True)
    assert answer.headers["Location"] == "/lti/lien-profond"
    page = client.get("/lti/lien-profond")
    assert "La formation entière" in page.text
    module = progress.catalogue().modules[-1]
    chosen = client.submit("/lti/lien-profond", {"target": module.slug})
    assert chosen.status_code == 200, chosen.text[:3000]
    assert 'name="JWT"' in chosen.text, chosen.text[-3000:]
    assert f"form-action 'self' {lms.url}" in chosen.headers["Content-Security-Policy"]
    token = chosen.text.split('name="JWT" value="')[1].split('"')[0]
    # The platform validates our signed response (against our JWKS) and keeps the item.
    items = requests.post(f"{lms.url}/deep_link_return", data={"JWT": token}, timeout=5).json()
    assert items[0]["type"] == "ltiResourceLink"
    assert items[0]["custom"] == {"module": module.slug}
    assert jwt.decode(token, options={"verify_signature": False})[
        "https://purl.imsglobal.org/spec/lti-dl/claim/data"
    ] == {"ticket": "t-1"}
    # The link lands on the module.
    client.submit("/deconnexion")
    answer = launch(client, lms, sub="eleve-1", custom=items[0]["custom"])
    assert answer.headers["Location"] == f"/modules/{module.slug}"


def test_a_learner_cannot_answer_a_deep_linking_request(client, lms):
    refused(launch(client, lms, sub="eleve-1", deep_link=True), "Seul un formateur")


# --- grades (AGS) ----------------------------------------------------------------------------


def test_scores_and_status_are_posted_and_read_back_from_the_platform(client, lms, runner):
    launch(client, lms, sub="prof-1", instructor=True)
    client.submit("/deconnexion")
    launch(client, lms, sub="eleve-1")
    learner = person("eleve-1")
    modules = progress.catalogue().modules
    queued = db.session.scalar(select(func.count()).select_from(GradeDelivery))
    assert queued == len(modules) + 1  # one line per module, and the status
    graded = next(m for m in modules if m.slug in quizzes.quizzes())
    db.session.add(
        QuizAttempt(
            user_id=learner.id,
            module_slug=graded.slug,
            layout={},
            answers={},
            score=85.0,
            passed=True,
            submitted_at=utcnow(),
        )
    )
    db.session.commit()
    hooks.send(hooks.LEARNING_PROGRESSED, user=learner)
    assert db.session.scalar(select(func.count()).select_from(GradeDelivery)) == queued + 1
    hooks.send(hooks.LEARNING_PROGRESSED, user=learner)  # nothing changed: nothing queued
    assert db.session.scalar(select(func.count()).select_from(GradeDelivery)) == queued + 1

    result = runner.invoke(args=["lti", "notes"])
    assert f"{queued + 1} envoyée(s), 0 refusée(s)" in result.output, result.output
    item = next(i for i in lms.line_items.values() if i["resourceId"] == graded.slug)
    assert item["scoreMaximum"] == 100 and item["label"] == graded.title
    assert {i["resourceId"] for i in lms.line_items.values()} == {m.slug for m in modules} | {
        "statut"
    }
    # Read back through the platform's result service.
    platform = db.session.scalar(select(Platform))
    token = tool.access_token(platform, [tool.SCOPES["result"]])
    results = requests.get(
        item["id"] + "/results", headers={"Authorization": f"Bearer {token}"}, timeout=5
    ).json()
    assert results["content"] == [{"userId": "eleve-1", "resultScore": 85.0, "resultMaximum": 100}]


def test_a_status_granted_revoked_then_restored_is_sent_again_each_time(
    client, lms, runner, create_user
):
    launch(client, lms, sub="prof-1", instructor=True)
    client.submit("/deconnexion")
    launch(client, lms, sub="eleve-1")
    learner, admin = person("eleve-1"), create_user(role="admin")

    def status_sent() -> list[tuple[float, bool, str]]:
        rows = select(GradeDelivery.score).where(GradeDelivery.resource_id == "statut")
        scores = db.session.scalars(rows.order_by(GradeDelivery.id))
        return [(s["score"], s["completed"], s["label"].split(" : ")[1]) for s in scores]

    certify(learner)
    assert status.revoke(learner, admin, "Charte non respectée")
    assert status.restore(learner, admin, "Erreur de saisie")
    certified = (100.0, True, "Animateur·rice Café IA certifié·e")
    assert status_sent() == [
        (0.0, False, "En formation"),
        certified,
        (0.0, False, "Statut révoqué"),
        certified,
    ]
    assert "0 refusée(s)" in runner.invoke(args=["lti", "notes"]).output


def test_a_platform_down_keeps_the_scores_for_a_retry(client, lms, runner):
    launch(client, lms, sub="prof-1", instructor=True)
    client.submit("/deconnexion")
    launch(client, lms, sub="eleve-1")
    lms.fail_scores = 1000
    result = runner.invoke(args=["lti", "notes"])
    assert "0 envoyée(s)" in result.output and "en attente d'un nouvel essai" in result.output
    rows = db.session.scalars(select(GradeDelivery)).all()
    assert all(r.state == "pending" and r.attempts == 1 and r.last_error for r in rows)
    later = select(func.count()).where(GradeDelivery.next_attempt_at > utcnow())
    assert db.session.scalar(later) == len(rows)
    lms.fail_scores = 0
    assert "0 envoyée(s)" in runner.invoke(args=["lti", "notes"]).output  # not due yet
    db.session.execute(GradeDelivery.__table__.update().values(next_attempt_at=utcnow()))
    db.session.commit()
    result = runner.invoke(args=["lti", "notes"])
    assert f"{len(rows)} envoyée(s)" in result.output
    assert sum(len(s) for s in lms.scores.values()) == len(rows)


# --- roster (NRPS) ---------------------------------------------------------------------------


def test_the_roster_is_imported_from_the_platform(client, lms):
    launch(client, lms, sub="prof-1", instructor=True)
    lms.members = [
        {
            "user_id": "eleve-7",
            "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            "given_name": "Noé",
            "family_name": "Bernard",
            "email": "noe@exemple.fr",
            "status": "Active",
        },
        {
            "user_id": "prof-2",
            "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
            "given_name": "Lou",
            "family_name": "Petit",
        },
        {
            "user_id": "parti-1",
            "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            "status": "Inactive",
        },
    ]
    context = db.session.scalar(select(Context))
    page = client.get("/lti/cours")
    assert "Importer la liste depuis le LMS" in page.text
    answer = client.submit(f"/lti/cohortes/{context.cohort_id}/liste", follow_redirects=True)
    assert "1 apprenant·e(s), 1 formateur·rice(s)" in answer.text
    assert person("eleve-7").last_name == "Bernard"
    assert person("prof-2").role == Role.FORMATEUR
    assert person("parti-1") is None
    assert db.session.scalar(select(func.count()).select_from(CohortTrainer)) == 2
    # Again: nobody twice.
    client.submit(f"/lti/cohortes/{context.cohort_id}/liste")
    assert db.session.scalar(select(func.count()).select_from(CohortMember)) == 1


def test_only_the_cohorts_formateurs_import_its_roster(client, lms, login_as):
    launch(client, lms, sub="prof-1", instructor=True)
    context = db.session.scalar(select(Context))
    client.submit("/deconnexion")
    login_as("formateur")
    assert client.submit(f"/lti/cohortes/{context.cohort_id}/liste").status_code == 403
    assert "Importer la liste" not in client.get("/lti/cours").text


# --- registration ----------------------------------------------------------------------------


def test_an_admin_registers_a_platform_and_bad_input_changes_nothing(client, login_as):
    login_as("admin")
    form = {
        "name": "Moodle académique",
        "issuer": "https://moodle.exemple.fr",
        "client_id": "abc",
        "deployment_ids": "1\n2",
        "auth_login_url": "https://moodle.exemple.fr/mod/lti/auth.php",
        "token_url": "https://moodle.exemple.fr/mod/lti/token.php",
        "jwks_url": "https://moodle.exemple.fr/mod/lti/certs.php",
    }
    bad = client.submit("/lti/plateformes", {**form, "jwks_url": "pas une adresse"})
    assert bad.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Platform)) == 0
    assert client.submit("/lti/plateformes", form).status_code == 302
    platform = db.session.scalar(select(Platform))
    assert platform.deployments == ["1", "2"]
    assert client.submit("/lti/plateformes", form).status_code == 400  # twice: refused
    assert client.post("/lti/plateformes", data=form).status_code == 400  # no CSRF token
    assert db.session.scalar(select(func.count()).select_from(Platform)) == 1


def test_dynamic_registration_registers_the_tool_at_the_platform(client, login_as, app):
    platform = LmsPlatform().start()
    try:
        login_as("admin")
        config = f"{platform.url}/.well-known/openid-configuration"
        query = {"openid_configuration": config, "registration_token": "jeton-enregistrement"}
        page = client.get("/lti/inscription", query_string=query)
        assert page.status_code == 200 and platform.url in page.text
        done = client.submit("/lti/inscription", query)
        assert done.status_code == 200, done.text
        assert "Outil enregistré" in done.text
        sent = platform.registrations[0]
        assert sent["initiate_login_uri"] == "http://localhost/lti/connexion"
        assert sent["jwks_uri"] == "http://localhost/lti/jwks.json"
        registered = db.session.scalar(select(Platform))
        assert (registered.issuer, registered.client_id) == (platform.url, "dynamique-1")
        assert registered.deployments == ["deploiement-dynamique"]
        assert registered.token_url == f"{platform.url}/token"
        # A wrong registration token: the platform refuses, nothing is stored.
        db.session.delete(registered)
        db.session.commit()
        refusal = client.submit("/lti/inscription", {**query, "registration_token": "faux"})
        assert refusal.status_code == 502
        assert db.session.scalar(select(func.count()).select_from(Platform)) == 0
    finally:
        platform.stop()


def test_a_configuration_outside_its_issuer_is_refused(client, login_as):
    login_as("admin")
    answer = client.get("/lti/inscription", query_string={"openid_configuration": "ftp://x"})
    assert answer.status_code == 400 and "invalide" in answer.text


# --- keys and iframes ------------------------------------------------------------------------


def test_the_tool_publishes_its_key_and_signs_with_it(client, app):
    keys = client.get("/lti/jwks.json").get_json()["keys"]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and "d" not in keys[0]
    signed = tool.sign({"iat": int(time.time())})
    key = jwt.PyJWK.from_dict(keys[0])
    assert jwt.get_unverified_header(signed)["kid"] == keys[0]["kid"]
    jwt.decode(signed, key.key, algorithms=["RS256"])


def test_inside_an_iframe_the_login_checks_cookies_and_offers_a_new_window(client, lms):
    iframe = {"Sec-Fetch-Dest": "iframe"}
    page = client.get("/lti/connexion", query_string=lms.prepare(sub="eleve-1"), headers=iframe)
    assert page.status_code == 200
    assert "Ouvrir dans une nouvelle fenêtre" in page.text
    assert "X-Frame-Options" not in page.headers
    assert f"frame-ancestors {lms.url}" in page.headers["Content-Security-Policy"]
    # Elsewhere the platform still refuses to be framed.
    assert client.get("/lti/jwks.json").headers["X-Frame-Options"] == "DENY"


def test_a_launch_inside_an_iframe_hands_over_to_a_new_window(client, lms):
    url, form = start(client, lms, sub="prof-1", instructor=True)
    page = client.post("/lti/lancement", data=form, headers={"Sec-Fetch-Dest": "iframe"})
    assert page.status_code == 200 and "nouvelle fenêtre" in page.text
    link = page.text.split('href="/lti/reprendre/')[1].split('"')[0]
    client.submit("/deconnexion")
    answer = client.get(f"/lti/reprendre/{link}")
    assert answer.status_code == 302 and answer.headers["Location"] == "/modules"
    assert client.get("/lti/cours").status_code == 200
    assert client.get("/lti/reprendre/falsifie").status_code == 400


def test_without_a_key_lti_is_off(client, app):
    app.config["LTI_TOOL_PRIVATE_KEY"] = None  # production without LTI_TOOL_PRIVATE_KEY
    assert client.get("/lti/jwks.json").status_code == 404
    assert client.post("/lti/lancement").status_code == 404


@pytest.mark.parametrize("role", ["apprenant", "formateur"])
def test_only_admins_register_a_tool_dynamically(client, login_as, role):
    login_as(role)
    assert client.get("/lti/inscription").status_code == 403
    assert client.get("/lti/plateformes").status_code == 403


def test_only_formateurs_choose_a_deep_link(client, login_as):
    login_as("apprenant")
    assert client.get("/lti/lien-profond").status_code == 403


def test_the_lms_link_is_in_personal_data_and_goes_with_the_account(client, lms):
    launch(client, lms, sub="prof-1", instructor=True)
    data = client.get("/mon-compte/donnees.json").get_json()
    assert data["lti"]["comptes_relies"] == [{"plateforme": lms.url, "sub": "prof-1"}]
    from lti.people import forget

    forget(person("prof-1"))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Identity)) == 0
