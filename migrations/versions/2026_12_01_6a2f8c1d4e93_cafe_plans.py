"""cafe plans: « Préparer mon premier café », one draft per learner

Revision ID: 6a2f8c1d4e93
Revises: c8e5a1f3d702
Create Date: 2026-12-01 18:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6a2f8c1d4e93"
down_revision = "c8e5a1f3d702"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cafe_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("audience", sa.String(length=30), nullable=False),
        sa.Column("audience_note", sa.String(length=200), nullable=False),
        sa.Column("structure", sa.String(length=200), nullable=False),
        sa.Column("commune", sa.String(length=100), nullable=False),
        sa.Column("departement_code", sa.String(length=3), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("starts", sa.Time(), nullable=True),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("animation", sa.String(length=20), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("material", sa.JSON(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_cafe_plans_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cafe_plans")),
        sa.UniqueConstraint("user_id", name=op.f("uq_cafe_plans_user_id")),
    )


def downgrade():
    op.drop_table("cafe_plans")
