"""activity answers: a person's last answer to each activity block of a lesson (checks,
reflection notes…)

Revision ID: a7c3e91f4b20
Revises: b01e68b390d6
Create Date: 2026-12-01 18:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c3e91f4b20"
down_revision = "b01e68b390d6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "activity_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("module_slug", sa.String(length=100), nullable=False),
        sa.Column("lesson_slug", sa.String(length=100), nullable=False),
        sa.Column("block_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_activity_answers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_answers")),
        sa.UniqueConstraint(
            "user_id",
            "module_slug",
            "lesson_slug",
            "block_id",
            name=op.f("uq_activity_answers_user_id"),
        ),
    )
    with op.batch_alter_table("activity_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_answers_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("activity_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_answers_user_id"))
    op.drop_table("activity_answers")
