"""xapi: lighter statement writes — no index on the verb or the registration, the activities
a statement names without the training, and on SQLite without a rowid

Revision ID: 5e1b7c3a9d20
Revises: 4a8d2f6b9c31
Create Date: 2026-12-04 01:30:00

Every page a learner visits writes a statement, and each index is one more B-tree written
(and copied again at the next WAL checkpoint, on SQLite):

- `ix_xapi_statements_verb`: the platform has about ten verbs, so the index hardly narrows a
  search; the queries that filter on the verb also filter on the person (their index) or the
  object (its index).
- `ix_xapi_statements_registration`: a registration is one person's (`users.registration`,
  now indexed): the read API finds its statements through the person's index.
- The training (`…/formation`), which every statement of the platform names in its
  `grouping`: a row per statement that said nothing. `related_activities` with the training
  matches every statement (lms/xapi/reading.py).
- On SQLite the activities table had a rowid B-tree beside its primary key's: WITHOUT ROWID,
  the primary key is the table.
"""

from alembic import op

revision = "5e1b7c3a9d20"
down_revision = "4a8d2f6b9c31"
branch_labels = None
depends_on = None

TRAINING = "%/formation"  # BASE_URL + /formation: no other activity IRI ends so

# On downgrade, the training each statement names in its grouping, read from its payload.
GROUPING = {
    "sqlite": "json_extract(payload, '$.context.contextActivities.grouping[0].id')",
    "postgresql": "payload::json #>> '{context,contextActivities,grouping,0,id}'",
}


def upgrade():
    op.drop_index("ix_xapi_statements_verb", table_name="xapi_statements")
    op.drop_index("ix_xapi_statements_registration", table_name="xapi_statements")
    op.create_index("ix_users_registration", "users", ["registration"])
    op.execute(f"DELETE FROM xapi_statement_activities WHERE activity_id LIKE '{TRAINING}'")
    _rebuild_activities(with_rowid=False)


def downgrade():
    _rebuild_activities(with_rowid=True)
    grouping = GROUPING[op.get_bind().dialect.name]
    op.execute(
        "INSERT INTO xapi_statement_activities (statement_id, activity_id) "
        f"SELECT id, {grouping} FROM xapi_statements WHERE {grouping} IS NOT NULL"
    )
    op.drop_index("ix_users_registration", table_name="users")
    op.create_index("ix_xapi_statements_verb", "xapi_statements", ["verb"])
    op.create_index("ix_xapi_statements_registration", "xapi_statements", ["registration"])


def _rebuild_activities(with_rowid: bool) -> None:
    """SQLite only: PostgreSQL has no rowid to drop."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "xapi_statement_activities",
        recreate="always",
        table_kwargs={} if with_rowid else {"sqlite_with_rowid": False},
    ):
        pass
