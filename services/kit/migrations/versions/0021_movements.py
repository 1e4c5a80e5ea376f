"""Emulation movements launched by agencies, and the registrations (with pledges) of the units in them.

Revision ID: 0021_movements
Revises: 0019_officer_email
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_movements"
down_revision = "0019_officer_email"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "movement",
        sa.Column("code", sa.String, primary_key=True),
        sa.Column("launcher_agency", sa.String, nullable=False, index=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("theme", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("scope", sa.String, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("launch_document", sa.String, nullable=False),
        sa.Column("launched_on", sa.Date, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("reviews", sa.JSON, nullable=False),
        sa.Column("examples", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "movement_registration",
        sa.Column("movement_code", sa.String, primary_key=True),
        sa.Column("agency_code", sa.String, primary_key=True),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("pledged", sa.JSON, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("movement_registration")
    op.drop_table("movement")
