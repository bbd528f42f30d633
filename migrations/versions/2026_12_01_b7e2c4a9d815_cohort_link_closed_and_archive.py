"""cohort invitation link closed, cohort archived

Two nullable timestamps on `cohorts`: when a formateur closed its invitation link (nobody joins
by it until it is regenerated) and when the cohort was archived (out of the active list, still
readable, restorable, and its link lets nobody join).

Revision ID: b7e2c4a9d815
Revises: e3d44a0c0e87
Create Date: 2026-12-01 15:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e2c4a9d815"
down_revision = "e3d44a0c0e87"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable columns without a constraint: SQLite adds them in place, without copying
    # `cohorts` (a copy would cascade-delete every row that points to a cohort).
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invite_closed_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True)))


def downgrade():
    # Dropping columns makes SQLite copy `cohorts`: foreign keys off for the copy (as in
    # f0dc5c973c8d), or the drop of the old table would cascade to its members.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys("OFF")
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
        batch_op.drop_column("invite_closed_at")
    if sqlite:
        _sqlite_foreign_keys("ON")


def _sqlite_foreign_keys(state: str) -> None:
    """The pragma only works outside a transaction (as in 3f1c0a7e5b21)."""
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys = {state}")
    actual = op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar()
    if actual != (state == "ON"):
        raise RuntimeError(f"SQLite : impossible de passer foreign_keys à {state}")
