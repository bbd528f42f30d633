"""local referents: their territories and the messages they sent

Revision ID: c8e5a1f3d702
Revises: a7c3e91f4b20
Create Date: 2026-12-01 18:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c8e5a1f3d702"
down_revision = "a7c3e91f4b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "referent_territories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["granted_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "kind", "code"),
    )
    with op.batch_alter_table("referent_territories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referent_territories_user_id"), ["user_id"], unique=False
        )
    op.create_table(
        "referent_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referent_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=150), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["referent_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("referent_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referent_messages_referent_id"), ["referent_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("referent_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referent_messages_referent_id"))
    op.drop_table("referent_messages")
    with op.batch_alter_table("referent_territories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referent_territories_user_id"))
    op.drop_table("referent_territories")
