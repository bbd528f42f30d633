"""idempotent writes

Guards for writes that two requests may make at once (lms/concurrency.py):
- one attempt in progress per person and quiz (a partial unique index); attempts opened twice
  before it existed are reduced to the newest, the one the platform showed (they hold no answer);
- readiness answers carry the token of the form page they came from, kept once per page.

Revision ID: 5c7e9a1b3d24
Revises: 8b2d4e6f1a93
Create Date: 2026-12-01 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5c7e9a1b3d24"
down_revision = "8b2d4e6f1a93"
branch_labels = None
depends_on = None

OPEN = sa.text("submitted_at IS NULL")


def upgrade():
    _close_duplicate_open_attempts()
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "uq_quiz_attempts_one_open",
            ["user_id", "module_slug"],
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )
    with op.batch_alter_table("readiness_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "uq_readiness_answers_submission",
            ["user_id", "submission", "statement_id"],
            unique=True,
        )


def _close_duplicate_open_attempts():
    """Keep each person's newest open attempt of a quiz; delete the older open ones.

    An open attempt has no answers (they are written when it is graded) and the platform only
    ever showed the newest, so nothing anyone could see is lost.
    """
    attempts = sa.table(
        "quiz_attempts",
        sa.column("id", sa.Integer),
        sa.column("user_id", sa.Integer),
        sa.column("module_slug", sa.String),
        sa.column("submitted_at", sa.DateTime),
    )
    newer = attempts.alias("newer")
    has_newer_open = (
        sa.select(newer.c.id)
        .where(
            newer.c.user_id == attempts.c.user_id,
            newer.c.module_slug == attempts.c.module_slug,
            newer.c.submitted_at.is_(None),
            newer.c.id > attempts.c.id,
        )
        .exists()
    )
    op.execute(attempts.delete().where(attempts.c.submitted_at.is_(None), has_newer_open))


def downgrade():
    with op.batch_alter_table("readiness_answers", schema=None) as batch_op:
        batch_op.drop_index("uq_readiness_answers_submission")
        batch_op.drop_column("submission")
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.drop_index("uq_quiz_attempts_one_open", sqlite_where=OPEN, postgresql_where=OPEN)
