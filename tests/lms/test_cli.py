"""`flask --app wsgi lms ...`, through the CLI runner."""

import pytest
from sqlalchemy import func, select

from lms.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from lms.extensions import db
from lms.models import User


def test_init_db_is_idempotent(runner):
    result = runner.invoke(args=["lms", "init-db"])
    assert result.exit_code == 0 and "Schéma à jour" in result.output


def test_demo_data_loads_once(runner, auth):
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    assert "0 compte(s) créé(s)" in runner.invoke(args=["lms", "demo"]).output
    # The README's three accounts, a certified animatrice, three listed animateurs, three
    # more learners of the demo cohort, one imported without a password yet, the référente for
    # Bretagne (and the national figures' synthetic learners).
    assert (
        db.session.scalar(
            select(func.count()).select_from(User).where(User.email.not_like("%@stats.exemple.fr"))
        )
        == len(DEMO_ACCOUNTS) + 9
    )
    from certificates import status
    from certificates.demo import ANIMATRICE

    animatrice = db.session.scalar(select(User).where(User.email == ANIMATRICE["email"]))
    assert status.status_of(animatrice) == "certifie"
    for account in DEMO_ACCOUNTS:
        response = auth.login(account["email"], DEMO_PASSWORD)
        assert response.status_code == 302, account["email"]
        auth.logout()


def test_create_user_with_a_role(runner):
    result = runner.invoke(
        args=[
            "lms",
            "create-user",
            "ANCT@exemple.fr",
            "--role",
            "admin",
            "--password",
            "un-mot-de-passe-long",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "anct@exemple.fr"))
    assert user.role == "admin" and user.check_password("un-mot-de-passe-long")
    again = runner.invoke(args=["lms", "create-user", "anct@exemple.fr", "--password", "x" * 12])
    assert again.exit_code != 0 and "existe déjà" in again.output


@pytest.mark.parametrize(
    "options, message",
    [
        (["--departement", "999", "--password", "x" * 12], "Département inconnu"),
        (["--password", "court"], "entre 12 et 128"),
    ],
)
def test_create_user_checks_what_the_forms_check(runner, options, message):
    result = runner.invoke(args=["lms", "create-user", "anct@exemple.fr", *options])
    assert result.exit_code != 0 and message in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_data_is_refused_in_production(app, runner):
    app.config["PRODUCTION"] = True
    result = runner.invoke(args=["lms", "demo"])
    assert result.exit_code != 0 and "refusées en production" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_set_role(runner, create_user):
    user = create_user()
    result = runner.invoke(args=["lms", "set-role", user.email, "formateur"])
    assert result.exit_code == 0
    assert db.session.scalar(select(User.role).where(User.id == user.id)) == "formateur"
    assert runner.invoke(args=["lms", "set-role", "personne@nulle.part", "admin"]).exit_code != 0
    assert runner.invoke(args=["lms", "set-role", user.email, "roi"]).exit_code != 0


def test_demo_learner_is_mid_course_with_a_passed_quiz(runner, client, auth):
    from courses.models import ModuleProgress
    from quizzes.models import QuizAttempt

    runner.invoke(args=["lms", "demo"])
    runner.invoke(args=["lms", "demo"])
    learner = db.session.scalar(select(User).where(User.email == "apprenant@exemple.fr"))
    passed = db.session.scalars(select(QuizAttempt.passed).where(QuizAttempt.user_id == learner.id))
    assert sorted(passed) == [False, True]
    completed = db.session.scalars(
        select(ModuleProgress.module_slug).where(
            ModuleProgress.completed_at.is_not(None), ModuleProgress.user_id == learner.id
        )
    ).all()
    assert completed == ["module-un"]
    auth.login("apprenant@exemple.fr", DEMO_PASSWORD)
    assert client.get("/reprendre").location.endswith("/modules/module-deux/lecon-2")
