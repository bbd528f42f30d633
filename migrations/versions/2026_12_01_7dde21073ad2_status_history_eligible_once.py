"""status history: eligible once

« Éligible » is entered once per person: a partial unique index (SQLite and PostgreSQL).

Revision ID: 7dde21073ad2
Revises: 9e7846aae9b4
Create Date: 2026-12-01 07:32:01.794557

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7dde21073ad2"
down_revision = "9e7846aae9b4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.create_index(
            "uq_status_changes_eligible_once",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text("status = 'eligible'"),
            postgresql_where=sa.text("status = 'eligible'"),
        )


def downgrade():
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_status_changes_eligible_once",
            sqlite_where=sa.text("status = 'eligible'"),
            postgresql_where=sa.text("status = 'eligible'"),
        )
