"""idempotent writes

Revision ID: 5c7e9a1b3d24
Revises: 8b2d4e6f1a93
Create Date: 2026-12-01 12:00:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "5c7e9a1b3d24"
down_revision = "8b2d4e6f1a93"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
