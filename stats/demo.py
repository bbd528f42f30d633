"""Demo: about 150 synthetic learners across France, so that the statistics show real figures.

Rows go in directly, in bulk (a second or two), but they obey the platform's rules: see
stats/synthetic.py. Names and addresses are obviously fake: « Personne Fictive 12 »,
synthetique-demo-12@stats.exemple.fr, and no password opens these accounts.
"""

import logging
import random
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, insert, select

from annuaire.models import AUDIENCES
from cafes.models import (
    ACTION_PATHS,
    BY_AGE,
    SUBMITTED,
    THEMES,
    CafeReport,
    ReportActionPath,
    ReportCount,
    ReportTheme,
)
from certificates.models import Certificate
from lms.departements import all_departements
from lms.extensions import db
from lms.models import User

from .synthetic import (
    COLUMNS,
    TABLES,
    Synthesis,
    course_of_app,
    next_ids,
    sync_sequences,
    utc_now,
)

log = logging.getLogger(__name__)
SEED = "demo"
LEARNERS, COHORTS, WEEKS = 150, 6, 16


def _insert(rows: dict[str, list[tuple]]) -> None:
    for name in TABLES:
        if rows[name]:
            table = db.metadata.tables[name]
            db.session.execute(
                insert(table), [dict(zip(COLUMNS[name], row, strict=True)) for row in rows[name]]
            )


def national_learners(find_user) -> None:
    pattern = f"synthetique-{SEED}-%"
    if db.session.scalar(select(func.count()).where(User.email.like(pattern))):
        return  # already there
    synthesis = Synthesis(course_of_app(current_app), utc_now(), weeks=WEEKS, seed=SEED)
    ids = next_ids(db.session)
    cohorts = {name: [] for name in TABLES}
    synthesis.add_cohorts(ids, 0, COHORTS, cohorts)
    _insert(cohorts)
    for batch in synthesis.learners(ids, 0, LEARNERS):
        _insert(batch)
    sync_sequences(db.session)
    db.session.commit()
    log.info("démonstration : %s apprenant·es synthétiques ajoutés", LEARNERS)


# The cafés' reach: the synthetic learners who hold the status report cafés (most of them
# within 3 months), and as many more come from animateurs who left the platform, so that the
# reach page, its map and the share on the overview show figures after `make run`.
REPORTS_WITHOUT_ANIMATEUR = 300
SYNTHESES = (
    "Beaucoup de questions sur la fiabilité des réponses : nous avons comparé deux assistants sur la même question.",
    "Les participants craignent pour leur emploi ; la discussion a porté sur les tâches qui changent plutôt que sur les métiers qui disparaissent.",
    "Nous avons écrit ensemble trois règles d'usage pour la médiathèque.",
    "Les parents s'inquiètent des devoirs faits avec l'IA ; un atelier pratique est prévu le mois prochain.",
)


def national_reports(find_user) -> None:
    synthetic = select(User.id).where(User.email.like(f"synthetique-{SEED}-%"))
    if db.session.scalar(
        select(func.count()).select_from(CafeReport).where(CafeReport.animateur_id.in_(synthetic))
    ):
        return  # already there
    rnd, today = random.Random(SEED), date.today()
    certified = db.session.execute(
        select(User.id, User.departement_code, Certificate.issued_at)
        .join(Certificate, Certificate.user_id == User.id)
        .where(User.id.in_(synthetic), Certificate.revoked_at.is_(None))
        .order_by(User.id)
    ).all()
    reports = []
    for user_id, code, issued in certified:
        if rnd.random() < 0.65:
            first = issued.date() + timedelta(days=rnd.randint(3, 80))
            for n in range(rnd.randint(1, 3)):
                day = first + timedelta(days=30 * n)
                if day < today:
                    reports.append(_report(rnd, day, code, user_id))
    codes = list(all_departements())
    for _ in range(REPORTS_WITHOUT_ANIMATEUR):
        day = today - timedelta(days=rnd.randint(1, 365))
        reports.append(_report(rnd, day, rnd.choice(codes), None))
    db.session.add_all(reports)
    db.session.commit()
    log.info("démonstration : %s comptes rendus de cafés ajoutés", len(reports))


def _report(rnd: random.Random, day: date, code: str, animateur_id: int | None) -> CafeReport:
    people = rnd.randint(5, 25)
    shared = rnd.random() < 0.3
    report = CafeReport(
        animateur_id=animateur_id, held_on=day, departement_code=code,
        region=all_departements()[code].region, audience=rnd.choice(list(AUDIENCES)),
        format=rnd.choice(["presentiel", "presentiel", "en_ligne", "hybride"]),
        participants=people, status=SUBMITTED, submitted_at=utc_now(),
        share_synthesis=shared, synthesis=rnd.choice(SYNTHESES) if shared else "",
    )  # fmt: skip
    report.themes = [ReportTheme(code=c) for c in rnd.sample(list(THEMES), rnd.randint(1, 2))]
    report.action_paths = [ReportActionPath(code=rnd.choice(list(ACTION_PATHS)))]
    if rnd.random() < 0.4:
        young = rnd.randint(0, people)
        report.counts = [
            ReportCount(dimension=BY_AGE, category="18_29", count=young),
            ReportCount(dimension=BY_AGE, category="60_74", count=people - young),
        ]
    return report
