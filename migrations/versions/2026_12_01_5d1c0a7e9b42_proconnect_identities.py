"""proconnect identities: the link between an account and its ProConnect `sub` + `idp_id`

Revision ID: 5d1c0a7e9b42
Revises: a3c9e1f7b254
Create Date: 2026-12-01 16:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5d1c0a7e9b42"
down_revision = "a3c9e1f7b254"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "proconnect_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sub", sa.String(length=255), nullable=False),
        sa.Column("idp_id", sa.String(length=255), nullable=False),
        sa.Column("siret", sa.String(length=14), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sub", "idp_id"),
        sa.UniqueConstraint("user_id"),
    )


def downgrade():
    op.drop_table("proconnect_identities")
