"""Delegations to substitute approvers; tracking codes.

Revision ID: 0007_delegation
Revises: 0006_outcomes
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_delegation"
down_revision = "0006_outcomes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delegation",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("agency_code", sa.String, nullable=False, index=True),
        sa.Column("from_officer_id", sa.String, nullable=False, index=True),
        sa.Column("to_officer_id", sa.String, nullable=False, index=True),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("reason", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by", sa.String),
        sa.Column("revoke_reason", sa.String),
    )
    op.create_table(
        "tracking_code",
        sa.Column("nomination_id", sa.String, primary_key=True),
        sa.Column("code", sa.String, nullable=False, unique=True),
        sa.Column("proposer_agency", sa.String, nullable=False, index=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "tracking_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String, nullable=False, unique=True),
        sa.Column("nomination_id", sa.String, nullable=False, index=True),
        sa.Column("event_type", sa.String, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agency_code", sa.String, nullable=False),
        sa.Column("step", sa.Integer),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("reason", sa.String),
        sa.Column("details", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("tracking_entry", "tracking_code", "delegation"):
        op.drop_table(table)
