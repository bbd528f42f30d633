"""referent messages: the form page's one-time token, so that a page sent twice sends once

Revision ID: e7a4c2b9f150
Revises: 6a2f8c1d4e93
Create Date: 2026-12-01 18:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e7a4c2b9f150"
down_revision = "6a2f8c1d4e93"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("referent_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            "uq_referent_messages_referent_id", ["referent_id", "submission"]
        )


def downgrade():
    with op.batch_alter_table("referent_messages", schema=None) as batch_op:
        batch_op.drop_constraint("uq_referent_messages_referent_id", type_="unique")
        batch_op.drop_column("submission")
