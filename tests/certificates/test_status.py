"""Readiness, eligibility and the animateur status lifecycle, through HTTP."""

import json
import threading

import pytest
from sqlalchemy import func, select

from certificates import readiness, status
from certificates.models import Certificate, ReadinessAnswer, StatusChange
from lms.extensions import db
from lms.xapi.models import StoredStatement
from quizzes import services as quizzes
from quizzes.demo import half_right_answers, right_answers

STATEMENTS = list(readiness.readiness().statements)


def readiness_form(level: int, animer: int | None = None) -> dict:
    values = {f"r-{s}": str(level) for s in STATEMENTS}
    values["r-animer"] = str(animer if animer is not None else level)
    return values


def finish_modules(client, app):
    """Every lesson done and every quiz passed, through the pages."""
    from courses import progress

    for module in progress.catalogue().modules:
        for lesson in module.lessons:
            client.submit(f"/modules/{module.slug}/{lesson.slug}/terminer")
        quiz = quizzes.quizzes().get(module.slug)
        if quiz:
            page = client.get(f"/modules/{module.slug}/quiz").get_data(as_text=True)
            attempt = page.split('name="attempt" value="')[1].split('"')[0]
            client.submit(
                f"/modules/{module.slug}/quiz",
                {"attempt": attempt, **right_answers(quiz).to_dict(flat=False)},
            )


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
    if missing != "validation":
        status.validate(user, user)
    met = {c.key: c.met for c in status.criteria(user)}
    # A module is only complete once its quiz is passed: a failed quiz leaves both unmet.
    assert [key for key, ok in met.items() if not ok] == (
        ["modules", "quiz"] if missing == "quiz" else [missing]
    )
    assert status.grant_if_eligible(user) is None and status.certificate_of(user) is None


def test_status_is_granted_in_the_request_that_completes_the_last_criterion(
    app, client, login_as, mailbox
):
    user = login_as()
    finish_modules(client, app)
    assert status.status_of(user) == "en_formation"
    response = client.submit("/positionnement", readiness_form(4))
    assert response.location.endswith("/mon-statut")
    certificate = status.certificate_of(user)
    assert certificate and len(certificate.code) >= 22
    assert statuses(user) == ["certifie"] and verbs(user)[-1] == "earned"
    page = client.get("/mon-statut").get_data(as_text=True)
    assert "Félicitations" in page and certificate.code in page
    (mail,) = mailbox
    assert mail["To"] == user.email and f"/verifier/{certificate.code}" in mail.get_content()


def test_readiness_below_threshold_shows_what_to_do_next(app, client, login_as):
    login_as()
    finish_modules(client, app)
    client.submit("/positionnement", readiness_form(5, animer=3))
    page = client.get("/mon-statut").get_data(as_text=True)
    assert "il vous manque seulement la confiance" in page
    assert "Refaire mon positionnement final" in page


def test_codes_are_random_and_not_derived_from_ids(app, create_user):
    codes = set()
    for _ in range(3):
        user = create_user()
        db.session.add(Certificate(user_id=user.id, code=__import__("secrets").token_urlsafe(24)))
        db.session.commit()
    codes = set(db.session.scalars(select(Certificate.code)))
    assert len(codes) == 3 and all(str(i) not in codes for i in range(10))


# --- lifecycle ---------------------------------------------------------------------------------


@pytest.fixture
def certified(app, client, login_as):
    user = login_as()
    finish_modules(client, app)
    client.submit("/positionnement", readiness_form(5))
    assert status.certificate_of(user)
    return user


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


def test_two_simultaneous_requests_issue_one_certificate(app, client, login_as):
    """Both requests see the criteria met and no certificate; the database keeps one."""
    user = login_as()
    finish_modules(client, app)
    client.submit("/positionnement", readiness_form(5, animer=3))
    db.session.add(ReadinessAnswer(user_id=user.id, phase="final", statement_id="animer", value=5))
    db.session.commit()
    barrier, results = threading.Barrier(2), []
    original = status.criteria

    def racing_criteria(person):
        rules = original(person)
        barrier.wait(timeout=10)  # both requests pass the check before either inserts
        return rules

    user_id, model = user.id, type(user)  # read here: the threads must not touch this session

    def grant():
        with app.app_context():
            person = db.session.get(model, user_id)
            results.append(status.grant_if_eligible(person))

    status.criteria = racing_criteria
    try:
        threads = [threading.Thread(target=grant) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        status.criteria = original
    assert sum(r is not None for r in results) == 1
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) == 1
