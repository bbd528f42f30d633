"""xapi statement activities: every activity a statement names, for `related_activities`

Filled for the statements already stored from their payloads (object and context activities).

Revision ID: a3c9e1f7b254
Revises: f0dc5c973c8d
Create Date: 2026-12-01 15:20:00

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3c9e1f7b254"
down_revision = "f0dc5c973c8d"
branch_labels = None
depends_on = None


def _activity_ids(statement: dict) -> set[str]:
    ids = set()
    if statement["object"].get("objectType", "Activity") == "Activity":
        ids.add(statement["object"]["id"])
    for group in (statement.get("context") or {}).get("contextActivities", {}).values():
        ids |= {a["id"] for a in (group if isinstance(group, list) else [group])}
    return ids


def upgrade():
    table = op.create_table(
        "xapi_statement_activities",
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("activity_id", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["xapi_statements.id"],
            name=op.f("fk_xapi_statement_activities_statement_id_xapi_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "statement_id", "activity_id", name=op.f("pk_xapi_statement_activities")
        ),
    )
    with op.batch_alter_table("xapi_statement_activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_xapi_statement_activities_activity_id"), ["activity_id"], unique=False
        )
    rows = op.get_bind().execute(sa.text("SELECT id, payload FROM xapi_statements"))
    links = [
        {"statement_id": id_, "activity_id": activity_id}
        for id_, payload in rows
        for activity_id in _activity_ids(json.loads(payload))
    ]
    if links:
        op.bulk_insert(table, links)


def downgrade():
    with op.batch_alter_table("xapi_statement_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xapi_statement_activities_activity_id"))
    op.drop_table("xapi_statement_activities")
