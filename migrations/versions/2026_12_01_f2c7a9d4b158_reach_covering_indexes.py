"""stats: covering indexes for the cafés' reach (reports, their themes and action paths)

Revision ID: f2c7a9d4b158
Revises: d5b8e2a4c913
Create Date: 2026-12-01 19:20:00

"""

from alembic import op

revision = "f2c7a9d4b158"
down_revision = "d5b8e2a4c913"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_cafe_reports_reach",
        "cafe_reports",
        ["status", "held_on", "departement_code", "audience", "format", "participants"],
    )
    op.create_index("ix_cafe_report_themes_reach", "cafe_report_themes", ["code", "report_id"])
    op.create_index(
        "ix_cafe_report_action_paths_reach", "cafe_report_action_paths", ["code", "report_id"]
    )


def downgrade():
    op.drop_index("ix_cafe_report_action_paths_reach", table_name="cafe_report_action_paths")
    op.drop_index("ix_cafe_report_themes_reach", table_name="cafe_report_themes")
    op.drop_index("ix_cafe_reports_reach", table_name="cafe_reports")
