"""cohort invitations by consent

Revision ID: 3f1c0a7e5b21
Revises: 7dde21073ad2
Create Date: 2026-12-01 12:00:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "3f1c0a7e5b21"
down_revision = "7dde21073ad2"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
