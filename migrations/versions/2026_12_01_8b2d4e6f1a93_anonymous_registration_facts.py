"""anonymous registration facts

Revision ID: 8b2d4e6f1a93
Revises: 3f1c0a7e5b21
Create Date: 2026-12-01 12:00:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "8b2d4e6f1a93"
down_revision = "3f1c0a7e5b21"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
