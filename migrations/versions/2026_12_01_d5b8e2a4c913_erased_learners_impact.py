"""stats: what an erased learner's certificate led to — the end of their 3 months, and a café in them

Revision ID: d5b8e2a4c913
Revises: e7a4c2b9f150
Create Date: 2026-12-01 18:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d5b8e2a4c913"
down_revision = "e7a4c2b9f150"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("erased_learners") as batch_op:
        batch_op.add_column(sa.Column("impact_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("held_cafe_in_time", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("erased_learners") as batch_op:
        batch_op.drop_column("held_cafe_in_time")
        batch_op.drop_column("impact_until")
