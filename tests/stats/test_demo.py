"""The demo's synthetic learners: quick to load, loaded once, and true to the platform's rules."""

from sqlalchemy import func, select, text

from annuaire.models import Listing
from cafes.models import CafeReport
from certificates.models import Certificate
from courses.progress import catalogue
from lms import hooks
from lms.accounts.services import find_by_email
from lms.extensions import db
from lms.models import User
from lms.xapi.models import StoredStatement
from stats import reach_tables, tables
from stats.demo import LEARNERS, national_learners, national_reports
from stats.forms import Filters

SYNTHETIC = User.email.like("synthetique-demo-%")


def count(statement) -> int:
    return db.session.scalar(statement)


def scalar_sql(sql: str, **params):
    return db.session.scalar(text(sql), params)


def test_the_demo_step_is_registered(app):
    assert hooks.demo_steps(app)[-2:] == [national_learners, national_reports]


def test_loads_once_and_sequences_follow(app, create_user):
    national_learners(find_by_email)
    sizes = [
        count(select(func.count()).select_from(t)) for t in (User, StoredStatement, Certificate)
    ]
    national_learners(find_by_email)
    again = [
        count(select(func.count()).select_from(t)) for t in (User, StoredStatement, Certificate)
    ]
    assert again == sizes
    assert create_user().id > sizes[0]  # PostgreSQL's sequences were moved past the rows


def test_people_are_obviously_fake_and_cannot_log_in(app):
    national_learners(find_by_email)
    people = db.session.scalars(select(User).where(SYNTHETIC)).all()
    assert len(people) == LEARNERS
    assert all(
        p.email.endswith("@stats.exemple.fr") and p.last_name.startswith("Fictive") for p in people
    )
    assert not any(p.check_password("cafeia-demo") for p in people)
    assert len({p.departement_code for p in people}) >= 40
    assert {p.role for p in people} == {"apprenant"}


def test_every_certificate_is_earned(app):
    """Certified: every module completed, and a final « animer » of 4 or 5 (the latest)."""
    national_learners(find_by_email)
    modules = len(catalogue().modules)
    certified = count(select(func.count()).select_from(Certificate))
    assert certified >= 5
    unearned = scalar_sql(
        """
        SELECT count(*) FROM certificates c
        WHERE (SELECT count(*) FROM module_progress m
               WHERE m.user_id = c.user_id AND m.completed_at IS NOT NULL) < :modules
           OR (SELECT r.value FROM readiness_answers r
               WHERE r.user_id = c.user_id AND r.phase = 'final' AND r.statement_id = 'animer'
               ORDER BY r.answered_at DESC, r.id DESC LIMIT 1) < 4
        """,
        modules=modules,
    )
    assert unearned == 0


def test_every_completed_module_has_its_lessons_and_quiz(app):
    national_learners(find_by_email)
    for module in catalogue().modules:
        incomplete = scalar_sql(
            """
            SELECT count(*) FROM module_progress m
            WHERE m.module_slug = :slug AND m.completed_at IS NOT NULL
              AND ((SELECT count(*) FROM lesson_progress l WHERE l.user_id = m.user_id
                    AND l.module_slug = :slug AND l.completed_at IS NOT NULL) < :lessons
                OR (:quiz AND NOT EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.user_id = m.user_id
                    AND a.module_slug = :slug AND a.passed)))
            """,
            slug=module.slug,
            lessons=len(module.lessons),
            quiz=module.slug in app.extensions["quizzes"],
        )
        assert incomplete == 0, module.slug


def test_listings_belong_to_certified_people_and_events_to_statements(app):
    national_learners(find_by_email)
    assert count(select(func.count()).select_from(Listing)) >= 1
    orphans = (
        select(func.count())
        .select_from(Listing)
        .outerjoin(Certificate, Certificate.user_id == Listing.user_id)
    )
    assert count(orphans.where(Certificate.id.is_(None))) == 0
    registered = select(func.count()).where(StoredStatement.verb.like("%/registered"))
    assert count(registered) >= LEARNERS


def test_the_statistics_have_figures(app):
    national_learners(find_by_email)
    funnel = tables.overview(Filters())["entonnoir"].rows
    assert funnel[0]["personnes"] == LEARNERS
    assert all(isinstance(row["personnes"], int) for row in funnel[:4])


def test_the_demo_reports_show_the_reach(app, client, login_as):
    national_learners(find_by_email)
    national_reports(find_by_email)
    reports = count(select(func.count()).select_from(CafeReport))
    national_reports(find_by_email)  # once
    assert count(select(func.count()).select_from(CafeReport)) == reports > 300
    login_as("admin")
    page = client.get("/admin/statistiques/cafes").get_data(as_text=True)
    assert "Synthèses des cafés" in page
    data = client.get("/statistiques/cafes.json").json
    assert data["cafes_tenus"] == reports and data["personnes_touchees"] > 5 * reports
    # Their animateurs were certified in the last 16 weeks: none has had their 3 months yet.
    assert reach_tables.impact_table(Filters()).rows[0]["valeur"] == "< 5"
