"""The migration that adds statement activities fills them for the statements already stored."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from lms.extensions import db
from lms.xapi import activity, record, training
from lms.xapi.models import StatementActivity, StoredStatement

BEFORE = "f0dc5c973c8d"
BEFORE_LIGHTER_WRITES = "4a8d2f6b9c31"


def links() -> set[tuple[str, str]]:
    rows = db.session.execute(select(StatementActivity.statement_id, StatementActivity.activity_id))
    return {tuple(row) for row in rows}


def test_statements_stored_before_get_their_activities(create_user):
    from tincan import StatementRef

    learner = create_user()  # « registered »: the training, which no row names
    module = activity("module", "Module un", "modules", "module-un")
    page = activity("lesson", "Leçon", "modules", "module-un", "l1")
    lesson = record(learner, "experienced", page, parent=module)
    record(learner, "voided", StatementRef(id=lesson.id))  # no activity at all
    db.session.commit()
    written = links()
    assert written == {(lesson.id, module.id)}  # the context's, but the training
    db.session.remove()
    downgrade(revision=BEFORE)
    upgrade()
    assert links() == written


def test_the_object_and_training_rows_come_back_on_downgrade(create_user):
    """Before 5e1b7c3a9d20 a statement had a row for its object and one for the training."""
    learner = create_user()
    page = activity("lesson", "Leçon", "lecons", "l1")
    lesson = record(learner, "experienced", page)
    db.session.commit()
    training_iri = training().id
    registered = db.session.scalar(
        select(StoredStatement.id).where(StoredStatement.id != lesson.id)
    )
    db.session.remove()
    downgrade(revision=BEFORE_LIGHTER_WRITES)
    before = {(lesson.id, page.id), (lesson.id, training_iri), (registered, training_iri)}
    assert links() == before
    upgrade()
    assert links() == set()
