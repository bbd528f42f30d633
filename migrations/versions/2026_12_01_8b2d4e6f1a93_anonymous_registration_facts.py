"""anonymous registration facts

What the national statistics keep of a learner who erases their account, without any
identifier (stats/models.py): one row per erased learner, their cohorts, their latest
readiness answers, their counts per quiz and per question.

Revision ID: 8b2d4e6f1a93
Revises: 3f1c0a7e5b21
Create Date: 2026-12-01 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8b2d4e6f1a93"
down_revision = "3f1c0a7e5b21"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "erased_learners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("departement_code", sa.String(length=3), nullable=False),
        sa.Column("profile", sa.String(length=20), nullable=False),
        sa.Column("started", sa.Boolean(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("certified", sa.Boolean(), nullable=False),
        sa.Column("certified_week", sa.Date(), nullable=True),
        sa.Column("days_to_certificate", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_learners")),
    )
    with op.batch_alter_table("erased_learners", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erased_learners_registered_on"), ["registered_on"], unique=False
        )
    op.create_table(
        "erased_cohort_members",
        sa.Column("erased_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        _to("erased_cohort_members", "erased_id", "erased_learners"),
        _to("erased_cohort_members", "cohort_id", "cohorts"),
        sa.PrimaryKeyConstraint("erased_id", "cohort_id", name=op.f("pk_erased_cohort_members")),
    )
    with op.batch_alter_table("erased_cohort_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erased_cohort_members_cohort_id"), ["cohort_id"], unique=False
        )
    op.create_table(
        "erased_readiness",
        sa.Column("erased_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=10), nullable=False),
        sa.Column("statement_id", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        _to("erased_readiness", "erased_id", "erased_learners"),
        sa.PrimaryKeyConstraint(
            "erased_id", "phase", "statement_id", name=op.f("pk_erased_readiness")
        ),
    )
    op.create_table(
        "erased_quiz_results",
        sa.Column("erased_id", sa.Integer(), nullable=False),
        sa.Column("module_slug", sa.String(length=100), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        _to("erased_quiz_results", "erased_id", "erased_learners"),
        sa.PrimaryKeyConstraint("erased_id", "module_slug", name=op.f("pk_erased_quiz_results")),
    )
    op.create_table(
        "erased_question_results",
        sa.Column("erased_id", sa.Integer(), nullable=False),
        sa.Column("module_slug", sa.String(length=100), nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        _to("erased_question_results", "erased_id", "erased_learners"),
        sa.PrimaryKeyConstraint(
            "erased_id", "module_slug", "question_id", name=op.f("pk_erased_question_results")
        ),
    )


def _to(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    """A foreign key whose rows go with the row they hang off."""
    return sa.ForeignKeyConstraint(
        [column],
        [f"{referred}.id"],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete="CASCADE",
    )


def downgrade():
    for table in ("erased_question_results", "erased_quiz_results", "erased_readiness"):
        op.drop_table(table)
    with op.batch_alter_table("erased_cohort_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erased_cohort_members_cohort_id"))
    op.drop_table("erased_cohort_members")
    with op.batch_alter_table("erased_learners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erased_learners_registered_on"))
    op.drop_table("erased_learners")
