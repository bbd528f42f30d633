"""cohort invitations by consent

An existing account named in a cohort import is invited, no longer enrolled: the invitation
table. Accounts made by an import have no password until their owner chooses one: the hash
becomes nullable. The e-mails an import owes are queued: the notices table.

Revision ID: 3f1c0a7e5b21
Revises: 7dde21073ad2
Create Date: 2026-12-01 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3f1c0a7e5b21"
down_revision = "7dde21073ad2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cohort_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_cohort_invitations_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_cohort_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_cohort_invitations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_invitations")),
        sa.UniqueConstraint("cohort_id", "user_id", name=op.f("uq_cohort_invitations_cohort_id")),
    )
    with op.batch_alter_table("cohort_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_invitations_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cohort_invitations_user_id"), ["user_id"], unique=False
        )
    op.create_table(
        "cohort_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_cohort_notices_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_cohort_notices_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_cohort_notices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_notices")),
    )
    with op.batch_alter_table("cohort_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_notices_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cohort_notices_user_id"), ["user_id"], unique=False)
    _password_hash(nullable=True)


def downgrade():
    # An account still without a password gets an unusable one: no hash method reads "!".
    op.execute("UPDATE users SET password_hash = '!' WHERE password_hash IS NULL")
    _password_hash(nullable=False)
    with op.batch_alter_table("cohort_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_notices_user_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_notices_cohort_id"))
    op.drop_table("cohort_notices")
    with op.batch_alter_table("cohort_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_invitations_user_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_invitations_cohort_id"))
    op.drop_table("cohort_invitations")


def _password_hash(*, nullable: bool) -> None:
    """On SQLite, batch mode copies `users`, drops it and renames the copy: with foreign keys
    on, that drop would cascade and erase every row that references an account. They are off
    for the copy (a pragma that only works outside a transaction), and on again after."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys("OFF")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "password_hash", existing_type=sa.String(length=255), nullable=nullable
        )
    if sqlite:
        _sqlite_foreign_keys("ON")


def _sqlite_foreign_keys(state: str) -> None:
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys = {state}")
    actual = op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar()
    if actual != (state == "ON"):
        raise RuntimeError(f"SQLite : impossible de passer foreign_keys à {state}")
