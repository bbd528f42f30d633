"""Demo: about 150 synthetic learners across France, so that the statistics show real figures.

Rows go in directly, in bulk (a second or two), but they obey the platform's rules: see
stats/synthetic.py. Names and addresses are obviously fake: « Personne Fictive 12 »,
synthetique-demo-12@stats.exemple.fr, and no password opens these accounts.
"""

import logging

from flask import current_app
from sqlalchemy import func, insert, select

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
