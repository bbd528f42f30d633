"""xapi: lighter statement writes — no index on the verb or the registration, the activities
table for context activities only, and on SQLite without a rowid

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
- `xapi_statement_activities` kept a row for the object, which `object_id` already holds
  (indexed), and one for the training (`…/formation`), which every statement of the platform
  names in its `grouping`. It keeps the other context activities (the parent); the read API's
  `related_activities` looks at `object_id` too, and matches every statement for the training.
- On SQLite that table had a rowid B-tree beside its primary key's: WITHOUT ROWID, the primary
  key is the table.
"""

from alembic import op

revision = "5e1b7c3a9d20"
down_revision = "4a8d2f6b9c31"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_xapi_statements_verb", table_name="xapi_statements")
    op.drop_index("ix_xapi_statements_registration", table_name="xapi_statements")
    op.create_index("ix_users_registration", "users", ["registration"])
    op.execute(  # the training is BASE_URL + /formation: no other activity's IRI ends so
        "DELETE FROM xapi_statement_activities WHERE activity_id LIKE '%/formation' "
        "OR activity_id = (SELECT s.object_id FROM xapi_statements s "
        "WHERE s.id = xapi_statement_activities.statement_id)"
    )
    _rebuild_activities(with_rowid=False)


def downgrade():
    _rebuild_activities(with_rowid=True)
    read = PAYLOAD[op.get_bind().dialect.name]
    _restore("object_id", f"{read['object type']} = 'Activity'")
    _restore(read["training"], f"{read['training']} IS NOT NULL")
    op.drop_index("ix_users_registration", table_name="users")
    op.create_index("ix_xapi_statements_verb", "xapi_statements", ["verb"])
    op.create_index("ix_xapi_statements_registration", "xapi_statements", ["registration"])


# On downgrade, what each statement names, read from its payload.
PAYLOAD = {
    "sqlite": {
        "object type": "json_extract(payload, '$.object.objectType')",
        "training": "json_extract(payload, '$.context.contextActivities.grouping[0].id')",
    },
    "postgresql": {
        "object type": "payload::json #>> '{object,objectType}'",
        "training": "payload::json #>> '{context,contextActivities,grouping,0,id}'",
    },
}


def _restore(activity: str, condition: str) -> None:
    """A row (statement, activity) for every statement where the condition holds, unless
    there is one already."""
    op.execute(
        "INSERT INTO xapi_statement_activities (statement_id, activity_id) "
        f"SELECT id, {activity} FROM xapi_statements s WHERE {condition} AND NOT EXISTS ("
        "SELECT 1 FROM xapi_statement_activities a "
        f"WHERE a.statement_id = s.id AND a.activity_id = {activity})"
    )


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
