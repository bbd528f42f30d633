"""Demo: the demo formateur's cohort, with learners at every stage."""

from datetime import date, timedelta

from sqlalchemy import select, update

from certificates import readiness
from courses import progress
from lms.accounts.services import add_invited_users, create_user
from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.models import utcnow
from lms.xapi.models import StoredStatement
from quizzes import services as quizzes
from quizzes.demo import right_answers

from . import services
from .models import Cohort, CohortInvitation, CohortMember, CohortTrainer

NEWCOMERS = [  # (e-mail, first name, last name, how far they went)
    ("ines.robert@exemple.fr", "Inès", "Robert", "inscrite"),
    ("paul.henry@exemple.fr", "Paul", "Henry", "bloque"),
    ("sonia.faure@exemple.fr", "Sonia", "Faure", "hesitante"),
]


def _progress(person, stage: str) -> None:
    modules = progress.catalogue().modules
    if stage == "bloque":  # one lesson, a month ago, then nothing
        progress.complete_lesson(person, modules[0], modules[0].lessons[0])
        month_ago = utcnow() - timedelta(days=30)
        db.session.execute(
            update(StoredStatement)
            .where(StoredStatement.user_id == person.id)
            .values(stored=month_ago)
        )
        db.session.execute(
            update(CohortMember)
            .where(CohortMember.user_id == person.id)
            .values(joined_at=month_ago)
        )
        db.session.commit()
    elif stage == "hesitante":  # everything done, but not yet confident enough to animate
        for module in modules:
            for lesson in module.lessons:
                progress.complete_lesson(person, module, lesson)
            quiz = quizzes.quizzes().get(module.slug)
            if quiz:
                quizzes.submit(
                    person, quiz, quizzes.current_attempt(person, quiz), right_answers(quiz)
                )
        answers = dict.fromkeys(readiness.readiness().statements, 4)
        answers[readiness.readiness().key_statement] = 3
        readiness.save(person, readiness.FINAL, answers)


def trainer_cohort(find_user) -> None:
    trainer = find_user("formateur@exemple.fr")
    if db.session.scalar(select(Cohort).where(Cohort.name == "Bretagne — printemps 2027")):
        return
    cohort = services.create(
        trainer,
        name="Bretagne — printemps 2027",
        territory="Bretagne",
        departement_code="35",
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 6, 30),
        description="Conseillers numériques des quatre départements bretons.",
    )
    for email in ("apprenant@exemple.fr", "animatrice@exemple.fr", "yann.le-gall@exemple.fr"):
        services.join(cohort, find_user(email), source="import")
    for email, first, last, stage in NEWCOMERS:
        person = find_user(email) or create_user(
            email=email,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            profile="conseiller",
            structure="Espace numérique",
            commune="Vannes",
            departement_code="56",
        )
        services.join(cohort, person)
        _progress(person, stage)


def pending_invitation(find_user) -> None:
    """Camille is named in an import of a second cohort of Karim's: she is invited, not
    enrolled, and her dashboard asks her to accept or decline."""
    if db.session.scalar(select(Cohort).where(Cohort.name == "Morbihan — automne 2027")):
        return
    trainer = find_user("formateur@exemple.fr")
    cohort = services.create(
        trainer,
        name="Morbihan — automne 2027",
        territory="Morbihan",
        departement_code="56",
        starts_on=date(2027, 9, 15),
        ends_on=date(2027, 12, 15),
        description="Médiathèques et France services du Morbihan.",
    )
    db.session.add(
        CohortInvitation(
            cohort_id=cohort.id,
            user_id=find_user("apprenant@exemple.fr").id,
            invited_by_id=trainer.id,
        )
    )
    db.session.commit()


def everyday(find_user) -> None:
    """What a formateur's page shows besides progress: Hugo, imported, has not chosen his
    password yet (« Renvoyer l'invitation »); Sophie co-anime the Bretagne cohort (« Retirer »);
    last autumn's cohort is archived (« Cohortes archivées »)."""
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Bretagne — printemps 2027"))
    if not cohort or find_user("hugo.marchand@exemple.fr"):
        return
    (hugo,) = add_invited_users(
        [
            dict(
                email="hugo.marchand@exemple.fr",
                first_name="Hugo",
                last_name="Marchand",
                profile="mediateur",
                structure="France services de Redon",
                commune="Redon",
                departement_code="35",
            )
        ],
        cohort=services.cohort_iri(cohort.id),
    )
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=hugo.id, source="import"))
    db.session.add(CohortTrainer(cohort_id=cohort.id, user_id=find_user("admin@exemple.fr").id))
    db.session.commit()
    trainer = find_user("formateur@exemple.fr")
    archived = services.create(
        trainer,
        name="Finistère — automne 2026",
        territory="Finistère",
        departement_code="29",
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 11, 30),
        description="Première cohorte bretonne, terminée.",
    )
    services.join(archived, find_user("yann.le-gall@exemple.fr"), source="import")
    services.archive(archived)
