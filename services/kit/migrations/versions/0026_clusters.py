"""Emulation clusters and blocs (cụm, khối): members, leaders, and each year's pledge, scores and ranking.

Revision ID: 0026_clusters
Revises: 0021_movements
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_clusters"
down_revision = "0021_movements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cluster",
        sa.Column("code", sa.String, primary_key=True),
        sa.Column("organiser_agency", sa.String, nullable=False, index=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("formed_on", sa.Date, nullable=False),
        sa.Column("awards_by_rank", sa.JSON, nullable=False),
        sa.Column("tie_rule", sa.String, nullable=False),
        sa.Column("closed_on", sa.Date),
        sa.Column("closed_note", sa.String),
        sa.Column("successors", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "cluster_member",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cluster_code", sa.String, nullable=False, index=True),
        sa.Column("agency_code", sa.String, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
    )
    op.create_table(
        "cluster_lead",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cluster_code", sa.String, nullable=False, index=True),
        sa.Column("agency_code", sa.String, nullable=False),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
    )
    op.create_table(
        "cluster_year",
        sa.Column("cluster_code", sa.String, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("pledge_items", sa.JSON, nullable=False),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("signed", sa.JSON, nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("ranking", sa.JSON),
        sa.Column("proposals", sa.JSON, nullable=False),
        sa.Column("ranked_on", sa.Date),
    )


def downgrade() -> None:
    for table in ("cluster_year", "cluster_lead", "cluster_member", "cluster"):
        op.drop_table(table)
