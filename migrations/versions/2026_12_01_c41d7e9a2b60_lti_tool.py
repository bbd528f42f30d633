"""LTI 1.3 tool: platforms, nonces, identities, contexts, line items and the grade outbox

Revision ID: c41d7e9a2b60
Revises: b7e2c4a9d815
Create Date: 2026-12-01 16:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c41d7e9a2b60"
down_revision = "b7e2c4a9d815"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "lti_platforms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("deployment_ids", sa.Text(), nullable=False),
        sa.Column("auth_login_url", sa.String(500), nullable=False),
        sa.Column("token_url", sa.String(500), nullable=False),
        sa.Column("jwks_url", sa.String(500), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("issuer", "client_id"),
    )
    op.create_table(
        "lti_nonces",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("value", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("used_at", TZ),
    )
    op.create_table(
        "lti_identities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("sub", sa.String(255), nullable=False),
        sa.UniqueConstraint("issuer", "sub"),
    )
    op.create_index("ix_lti_identities_user_id", "lti_identities", ["user_id"])
    op.create_table(
        "lti_contexts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "platform_id",
            sa.Integer(),
            sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("deployment_id", sa.String(255), nullable=False),
        sa.Column(
            "cohort_id",
            sa.Integer(),
            sa.ForeignKey("cohorts.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("lineitems_url", sa.String(500)),
        sa.Column("memberships_url", sa.String(500)),
        sa.Column("ags_scopes", sa.Text(), nullable=False),
        sa.UniqueConstraint("platform_id", "context_id"),
    )
    op.create_table(
        "lti_line_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "context_id",
            sa.Integer(),
            sa.ForeignKey("lti_contexts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("resource_id", sa.String(120), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.UniqueConstraint("context_id", "resource_id"),
    )
    op.create_table(
        "lti_grade_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "context_id",
            sa.Integer(),
            sa.ForeignKey("lti_contexts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("resource_id", sa.String(120), nullable=False),
        sa.Column("score", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("delivered_at", TZ),
    )
    for column in ("context_id", "user_id", "state"):
        op.create_index(f"ix_lti_grade_outbox_{column}", "lti_grade_outbox", [column])


def downgrade():
    for table in (
        "lti_grade_outbox",
        "lti_line_items",
        "lti_contexts",
        "lti_identities",
        "lti_nonces",
        "lti_platforms",
    ):
        op.drop_table(table)
