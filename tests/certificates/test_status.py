"""Readiness, eligibility and the animateur status lifecycle, through HTTP."""

import json
import re
import threading

import pytest
from flask import url_for
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from certificates import readiness, status
from certificates.demo import certify
from certificates.models import Certificate, ReadinessAnswer, StatusChange, TrainerValidation
from cohorts import services as cohorts
from lms.extensions import db
from lms.models import User
from lms.xapi.models import StoredStatement
from quizzes import services as quizzes
from quizzes.demo import half_right_answers, right_answers
from tests.helpers import REFUSED_VALIDATIONS, STATEMENTS, finish_modules, readiness_form


def statuses(user) -> list[str]:
    return [c.status for c in status.history(user)]


def verbs(user) -> list[str]:
    rows = db.session.scalars(
        select(StoredStatement.verb)
        .where(StoredStatement.user_id == user.id)
        .order_by(StoredStatement.stored)
    )
    return [v.rsplit("/", 1)[1] for v in rows]


# --- readiness ---------------------------------------------------------------------------------


def test_readiness_has_six_to_eight_statements_with_the_key_one():
    assert 6 <= len(STATEMENTS) <= 8
    assert readiness.readiness().statements["animer"] == "Je me sens capable d'animer un Café IA."


def test_initial_readiness_is_kept_and_recorded_as_likert(client, login_as):
    user = login_as()
    response = client.submit("/positionnement", readiness_form(2))
    assert response.status_code == 302
    assert readiness.latest(user)["initial"] == {s: 2 for s in STATEMENTS}
    client.submit("/positionnement", readiness_form(3))  # retaken: every answer kept
    assert db.session.scalar(select(func.count()).select_from(ReadinessAnswer)) == 2 * len(
        STATEMENTS
    )
    assert readiness.latest(user)["initial"]["animer"] == 3
    payload = json.loads(
        db.session.scalars(
            select(StoredStatement.payload).where(StoredStatement.verb.endswith("answered"))
        ).first()
    )
    assert payload["object"]["definition"]["interactionType"] == "likert"
    assert [c["id"] for c in payload["object"]["definition"]["scale"]] == ["1", "2", "3", "4", "5"]
    assert payload["result"]["response"] in {"2", "3"}


@pytest.mark.parametrize("change", [{"r-animer": "6"}, {"r-animer": ""}, {"r-biais": "trois"}])
def test_bad_readiness_answers_store_nothing(client, login_as, change):
    login_as()
    response = client.submit("/positionnement", {**readiness_form(3), **change})
    assert response.status_code == 422 and "de 1 à 5" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ReadinessAnswer)) == 0


def test_before_and_after_are_shown_side_by_side(app, client, login_as):
    user = login_as()
    client.submit("/positionnement", readiness_form(2))
    finish_modules(client, app)
    assert readiness.current_phase(user) == "final"
    client.submit("/positionnement", readiness_form(4, animer=3))
    page = client.get("/positionnement/avant-apres").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page
    assert (
        '<th scope="row">Je me sens capable d&#39;animer un Café IA.</th><td>2</td><td>3</td>'
        in page
    )


# --- eligibility -------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["modules", "quiz", "positionnement", "validation"])
def test_each_missing_criterion_blocks_the_status(app, client, login_as, missing):
    app.config["REQUIRE_TRAINER_VALIDATION"] = True
    user = login_as()
    from courses import progress

    for module in progress.catalogue().modules:
        lessons = module.lessons[:-1] if missing == "modules" else module.lessons
        for lesson in lessons:
            client.submit(f"/modules/{module.slug}/{lesson.slug}/terminer")
    quiz = quizzes.quizzes()["module-un"]
    answers = half_right_answers(quiz) if missing == "quiz" else right_answers(quiz)
    quizzes.submit(user, quiz, quizzes.current_attempt(user, quiz), answers)
    final = {statement: 5 for statement in STATEMENTS}
    final["animer"] = 3 if missing == "positionnement" else 4
    readiness.save(user, readiness.FINAL, final)  # the final answer, whatever the phase
    if missing != "validation":  # stored directly: the service validates only eligible people
        db.session.add(TrainerValidation(user_id=user.id, validated_by_id=user.id))
        db.session.commit()
    met = {c.key: c.met for c in status.criteria(user)}
    # A module is only complete once its quiz is passed: a failed quiz leaves both unmet.
    assert [key for key, ok in met.items() if not ok] == (
        ["modules", "quiz"] if missing == "quiz" else [missing]
    )
    assert status.grant_if_eligible(user) is None and status.certificate_of(user) is None


def test_a_mail_server_down_does_not_undo_or_break_the_grant(app, client, login_as, caplog):
    from tests.conftest import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens there
    user = login_as()
    finish_modules(client, app)
    response = client.submit("/positionnement", readiness_form(4))
    assert response.status_code == 302 and response.location.endswith("/mon-statut")
    assert status.status_of(user) == "certifie"
    assert "e-mail non envoyé (statut accordé)" in caplog.text


def test_status_is_granted_in_the_request_that_completes_the_last_criterion(
    app, client, login_as, mailbox
):
    user = login_as()
    finish_modules(client, app)
    assert status.status_of(user) == "en_formation"
    response = client.submit("/positionnement", readiness_form(4))
    assert response.location.endswith("/mon-statut")
    certificate = status.certificate_of(user)
    assert certificate and len(certificate.code.replace("-", "")) >= 16
    assert statuses(user) == ["certifie"] and verbs(user)[-1] == "earned"
    page = client.get("/mon-statut").get_data(as_text=True)
    assert "Félicitations" in page and certificate.code in page
    (mail,) = mailbox
    body, base = mail.get_content(), app.config["BASE_URL"]
    assert mail["To"] == user.email
    with app.test_request_context():
        links = [
            url_for(endpoint, **values)
            for endpoint, values in [
                ("certificates.verify", {"code": certificate.code}),
                ("certificates.certificate_pdf", {}),
                ("certificates.badge_download", {}),
                ("annuaire.edit", {}),
            ]
        ]
    words = body.split()  # each link stands whole, not as the prefix of a longer one
    for link in links:
        assert base + link in words, link


@pytest.fixture
def in_a_cohort(create_user):
    """in_a_cohort(person): enrols them in a cohort run by Camille Formatrice."""

    def enrol(person):
        trainer = create_user(
            role="formateur",
            first_name="Camille",
            last_name="Formatrice",
            email="camille@exemple.fr",
        )
        cohort = cohorts.create(trainer, name="Finistère 2027", territory="Finistère")
        cohorts.join(cohort, person)

    return enrol


@pytest.mark.parametrize("required", [False, True])
def test_readiness_below_threshold_shows_what_to_do_next(
    app, client, login_as, in_a_cohort, required
):
    app.config["REQUIRE_TRAINER_VALIDATION"] = required
    in_a_cohort(login_as())
    finish_modules(client, app)
    client.submit("/positionnement", readiness_form(5, animer=3))
    page = client.get("/mon-statut").get_data(as_text=True)
    assert "il vous manque seulement la confiance" in page
    assert "Refaire mon positionnement final" in page
    assert "Camille Formatrice" in page and "Finistère 2027" in page
    assert "camille@exemple.fr" not in page  # learners are never shown a formateur's address
    assert ("il ou elle validera votre parcours" in page) == required


def test_when_only_the_validation_is_missing_the_page_says_who_validates(
    app, client, login_as, in_a_cohort
):
    app.config["REQUIRE_TRAINER_VALIDATION"] = True
    in_a_cohort(login_as())
    finish_modules(client, app)
    client.submit("/positionnement", readiness_form(5))
    page = client.get("/mon-statut").get_data(as_text=True)
    assert "Votre parcours attend la validation de votre formateur ou formatrice" in page
    assert "Camille Formatrice" in page and "Finistère 2027" in page


def test_without_a_cohort_the_national_team_validates(app, client, login_as):
    app.config["REQUIRE_TRAINER_VALIDATION"] = True
    login_as()
    finish_modules(client, app)
    client.submit("/positionnement", readiness_form(5))
    page = client.get("/mon-statut").get_data(as_text=True)
    assert f"mailto:{app.config['CONTACT_EMAIL']}" in page and "qui validera votre parcours" in page


def _large_user_ids(create_user) -> None:
    """Make the next user ids six digits long: a one-digit id would turn up in a random code
    by chance, and the test below could not tell that from a code derived from the id."""
    placeholder = create_user(role="formateur")  # no row refers to it yet
    db.session.execute(update(User).where(User.id == placeholder.id).values(id=900_000))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users))"
            )
        )
    db.session.commit()


def test_codes_are_random_and_not_derived_from_ids(app, create_user):
    _large_user_ids(create_user)
    people = [create_user() for _ in range(5)]
    for person in people:
        certify(person)  # the whole course, then the service grants the status
    codes = {p.id: status.certificate_of(p).code for p in people}
    assert all(i >= 900_000 for i in codes)
    assert len(set(codes.values())) == len(people)
    for user_id, code in codes.items():
        # 20 symbols of Crockford's base32 in groups of four: 100 random bits
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}", code), code
        assert str(user_id) not in code.replace("-", "")


# --- lifecycle ---------------------------------------------------------------------------------


def test_revoke_and_restore_with_a_reason(client, auth, certified, create_user):
    code = status.certificate_of(certified).code
    admin = create_user(role="admin")
    auth.logout()
    auth.login(admin.email)
    url = f"/admin/animateurs/{certified.id}"
    refused = client.submit(url + "/revoquer", {"reason": ""})
    assert refused.status_code == 422 and "Le motif est obligatoire" in refused.get_data(
        as_text=True
    )
    assert status.status_of(certified) == "certifie"
    assert (
        client.submit(url + "/revoquer", {"reason": "Usage commercial du titre"}).status_code == 302
    )
    db.session.expire_all()
    assert status.status_of(certified) == "revoque"
    page = client.get(f"/verifier/{code}").get_data(as_text=True)
    assert "Attestation révoquée" in page
    assert client.submit(url + "/retablir", {"reason": "Malentendu éclairci"}).status_code == 302
    db.session.expire_all()
    assert status.status_of(certified) == "certifie"
    assert statuses(certified) == ["certifie", "revoque", "retabli"]
    changes = status.history(certified)
    assert changes[1].by_id == admin.id and changes[1].reason == "Usage commercial du titre"
    assert verbs(certified)[-2:] == ["voided", "earned"]
    voided = json.loads(
        db.session.scalars(
            select(StoredStatement.payload).where(StoredStatement.verb.endswith("voided"))
        ).one()
    )
    assert voided["object"]["objectType"] == "StatementRef"
    assert "Attestation valide" in client.get(f"/verifier/{code}").get_data(as_text=True)


def test_restoring_a_valid_status_is_refused(client, auth, certified, create_user):
    admin = create_user(role="admin")
    auth.logout()
    auth.login(admin.email)
    response = client.submit(f"/admin/animateurs/{certified.id}/retablir", {"reason": "x"})
    assert response.status_code == 303
    assert statuses(certified) == ["certifie"]


@pytest.mark.parametrize("role", ["apprenant", "formateur"])
def test_only_admins_manage_statuses(client, auth, certified, create_user, role):
    other = create_user(role=role)
    auth.logout()
    auth.login(other.email)
    assert client.get(f"/admin/animateurs/{certified.id}").status_code == 403
    assert (
        client.submit(f"/admin/animateurs/{certified.id}/revoquer", {"reason": "x"}).status_code
        == 403
    )
    assert status.status_of(certified) == "certifie"


def test_trainer_validation_when_required(app, client, auth, login_as, create_user):
    app.config["REQUIRE_TRAINER_VALIDATION"] = True
    user = login_as()
    finish_modules(client, app)
    client.submit("/positionnement", readiness_form(5))
    assert status.status_of(user) == "eligible" and status.certificate_of(user) is None
    admin = create_user(role="admin")
    auth.logout()
    auth.login(admin.email)
    client.submit(f"/admin/animateurs/{user.id}/valider")
    assert status.status_of(user) == "certifie"


def object_payloads(user, suffix: str) -> list[dict]:
    rows = db.session.scalars(
        select(StoredStatement.payload).where(
            StoredStatement.user_id == user.id, StoredStatement.object_id.endswith(suffix)
        )
    )
    return [json.loads(row) for row in rows]


def test_eligible_and_the_validation_are_history_rows_and_statements(
    app, client, auth, login_as, create_user
):
    app.config["REQUIRE_TRAINER_VALIDATION"] = True
    user = login_as()
    finish_modules(client, app)
    client.submit("/positionnement", readiness_form(5))
    client.submit("/positionnement", readiness_form(4))  # retaken while eligible: kept once
    assert statuses(user) == ["eligible"]
    (eligible,) = object_payloads(user, "/statut-animateur/criteres")
    assert eligible["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert "Éligible, en attente de validation</td>" in client.get("/mon-statut").get_data(
        as_text=True
    )
    admin = create_user(role="admin", first_name="Nadia", last_name="Valideuse")
    auth.logout()
    auth.login(admin.email)
    client.submit(f"/admin/animateurs/{user.id}/valider")
    changes = status.history(user)
    assert [c.status for c in changes] == ["eligible", "valide", "certifie"]
    assert changes[1].by_id == admin.id and changes[0].at <= changes[1].at <= changes[2].at
    (validation,) = object_payloads(user, "/statut-animateur/validation")
    assert validation["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    extensions = validation["context"]["extensions"]
    assert extensions["http://cafeia.test/xapi/extensions/valide-par"] == admin.pseudonym
    page = client.get(f"/admin/animateurs/{user.id}").get_data(as_text=True)
    assert "Parcours validé par un formateur ou une formatrice</td>" in page
    assert "<td>Nadia Valideuse</td>" in page


def test_the_database_keeps_eligible_once_per_person(app, create_user):
    user = create_user()
    db.session.add(StatusChange(user_id=user.id, status="eligible"))
    db.session.commit()
    db.session.add(StatusChange(user_id=user.id, status="eligible"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    for _ in range(2):  # other changes may repeat: revoked, restored, revoked again
        db.session.add(StatusChange(user_id=user.id, status="revoque"))
    db.session.commit()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("required, certified, code, message", REFUSED_VALIDATIONS)
def test_validation_is_refused_unless_required_and_awaited(
    app, client, auth, create_user, required, certified, code, message
):
    person = create_user()
    if certified:
        certify(person)
    app.config["REQUIRE_TRAINER_VALIDATION"] = required
    before = (count(TrainerValidation), count(StatusChange), count(StoredStatement))
    auth.login(create_user(role="admin").email)
    response = client.submit(f"/admin/animateurs/{person.id}/valider")
    assert response.status_code == code and message in response.get_data(as_text=True)
    assert (count(TrainerValidation), count(StatusChange), count(StoredStatement)) == before
    assert status.status_of(person) == ("certifie" if certified else "en_formation")


def _race_for_the_certificate(app, client, login_as):
    """Both requests see the criteria met and no certificate; the database keeps one."""
    user = login_as()
    finish_modules(client, app)
    client.submit("/positionnement", readiness_form(5, animer=3))
    db.session.add(ReadinessAnswer(user_id=user.id, phase="final", statement_id="animer", value=5))
    db.session.commit()
    barrier, results, errors = threading.Barrier(2), [], []
    original = status.criteria

    def racing_criteria(person):
        rules = original(person)
        barrier.wait(timeout=10)  # both requests pass the check before either inserts
        return rules

    user_id, model = user.id, type(user)  # read here: the threads must not touch this session

    def grant():
        try:
            with app.app_context():
                person = db.session.get(model, user_id)
                results.append(status.grant_if_eligible(person))
        except Exception as error:  # re-raised below: a thread's failure must fail the test
            errors.append(error)

    status.criteria = racing_criteria
    try:
        threads = [threading.Thread(target=grant) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        status.criteria = original
    if errors:
        raise errors[0]
    assert len(results) == 2, "each request should have finished with a result"
    assert sum(r is not None for r in results) == 1
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) == 1


def test_two_simultaneous_requests_issue_one_certificate(app, client, login_as):
    _race_for_the_certificate(app, client, login_as)


@pytest.mark.postgres
def test_two_simultaneous_requests_issue_one_certificate_on_postgresql(app, client, login_as):
    """PostgreSQL runs both transactions truly at once: the unique index is what decides."""
    assert db.engine.dialect.name == "postgresql"
    _race_for_the_certificate(app, client, login_as)
