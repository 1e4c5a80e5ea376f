"""A member's signatures and scores sent from its own service to its cluster's organiser.

Revision ID: 0034_cluster_requests
Revises: 0022_nominee_people
"""

import sqlalchemy as sa
from alembic import op

revision = "0034_cluster_requests"
down_revision = "0030_outbox_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cluster_request",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("cluster_code", sa.String, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("act", sa.String, nullable=False),
        sa.Column("agency_code", sa.String, nullable=False),
        sa.Column("by_agency", sa.String),
        sa.Column("points", sa.JSON, nullable=False),
        sa.Column("requester_agency", sa.String, nullable=False, index=True),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("reason", sa.String),
        sa.Column("reason_vi", sa.String),
    )


def downgrade() -> None:
    op.drop_table("cluster_request")
