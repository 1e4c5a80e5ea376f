"""Reorganization: where grassroots units are, which plans each replica applied, transfer outcomes.

Revision ID: 0003_reorg
Revises: 0002_rules
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_reorg"
down_revision = "0002_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("location_code", sa.String))
    op.create_table(
        "plan_application",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_code", sa.String, nullable=False, unique=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
    )
    op.create_table(
        "transfer_outcome",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_code", sa.String, nullable=False, index=True),
        sa.Column("nomination_id", sa.String, nullable=False),
        sa.Column("outcome", sa.String, nullable=False, index=True),
        sa.Column("from_agency", sa.String, nullable=False),
        sa.Column("to_agency", sa.String),
        sa.Column("rule", sa.String),
        sa.Column("detail", sa.String),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("plan_code", "nomination_id"),
    )


def downgrade() -> None:
    op.drop_table("transfer_outcome")
    op.drop_table("plan_application")
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("location_code")
