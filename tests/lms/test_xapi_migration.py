"""The migration that adds statement activities fills them for the statements already stored."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from lms.extensions import db
from lms.xapi import activity, record
from lms.xapi.models import StatementActivity

BEFORE = "f0dc5c973c8d"


def links() -> set[tuple[str, str]]:
    rows = db.session.execute(select(StatementActivity.statement_id, StatementActivity.activity_id))
    return {tuple(row) for row in rows}


def test_statements_stored_before_get_their_activities(create_user):
    from tincan import StatementRef

    learner = create_user()  # « registered »: the training
    module = activity("module", "Module un", "modules", "module-un")
    lesson = record(
        learner,
        "experienced",
        activity("lesson", "Leçon", "modules", "module-un", "l1"),
        parent=module,
    )
    record(learner, "voided", StatementRef(id=lesson.id))  # no activity at all
    db.session.commit()
    written = links()
    assert (lesson.id, module.id) in written and len(written) == 5
    db.session.remove()
    downgrade(revision=BEFORE)
    upgrade()
    assert links() == written
