"""cohort creation token, relayed contact messages, cohort imports

The one-time token of a form page, kept where the page's write landed, so that the page sent
twice (a double click, a retried request) writes once:
- a cohort keeps the token of the page that created it (a unique index; older cohorts: none);
- a contact message relayed by the annuaire leaves its page's token, per listing (unique),
  and nothing about the visitor or the message;
- an import confirmed leaves the digest of its signed preview (unique per cohort) and what it
  did, so that preview confirmed again says so instead of importing (or refusing) again.

Revision ID: f0dc5c973c8d
Revises: 5c7e9a1b3d24
Create Date: 2026-12-01 14:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f0dc5c973c8d"
down_revision = "5c7e9a1b3d24"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("creation_token", sa.String(length=64), nullable=True))
        # A unique index, not a constraint: SQLite adds both the column and the index in place,
        # where a constraint would copy `cohorts` and, foreign keys on, cascade-delete every
        # row that points to a cohort (members, formateurs, reminders…).
        batch_op.create_index("uq_cohorts_creation_token", ["creation_token"], unique=True)
    op.create_table(
        "annuaire_relayed_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("submission", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["annuaire_listings.id"],
            name="fk_annuaire_relayed_messages_listing_id_annuaire_listings",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_annuaire_relayed_messages"),
        sa.UniqueConstraint(
            "listing_id", "submission", name="uq_annuaire_relayed_messages_listing_id"
        ),
    )
    with op.batch_alter_table("annuaire_relayed_messages", schema=None) as batch_op:
        batch_op.create_index("ix_annuaire_relayed_messages_sent_at", ["sent_at"], unique=False)
    op.create_table(
        "cohort_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("preview_digest", sa.String(length=64), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("invited", sa.Integer(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name="fk_cohort_imports_cohort_id_cohorts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["users.id"],
            name="fk_cohort_imports_imported_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_cohort_imports"),
        sa.UniqueConstraint("cohort_id", "preview_digest", name="uq_cohort_imports_cohort_id"),
    )


def downgrade():
    op.drop_table("cohort_imports")
    with op.batch_alter_table("annuaire_relayed_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_annuaire_relayed_messages_sent_at")
    op.drop_table("annuaire_relayed_messages")
    # Dropping the column makes SQLite copy `cohorts`: foreign keys off for the copy, or the
    # drop of the old table would cascade to every row that points to a cohort.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys("OFF")
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_index("uq_cohorts_creation_token")
        batch_op.drop_column("creation_token")
    if sqlite:
        _sqlite_foreign_keys("ON")


def _sqlite_foreign_keys(state: str) -> None:
    """The pragma only works outside a transaction (as in 3f1c0a7e5b21)."""
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys = {state}")
    actual = op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar()
    if actual != (state == "ON"):
        raise RuntimeError(f"SQLite : impossible de passer foreign_keys à {state}")
