"""Central keeps the registry of conferred awards.

Revision ID: c001_central_awards
Revises: 0001_kit
"""

import sqlalchemy as sa
from alembic import op

revision = "c001_central_awards"
down_revision = "0001_kit"
branch_labels = ("central",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conferred_award",
        sa.Column("nomination_id", sa.String, primary_key=True),
        sa.Column("award_code", sa.String, nullable=False, index=True),
        sa.Column("nominee_name", sa.String, nullable=False),
        sa.Column("proposer_agency", sa.String, nullable=False, index=True),
        sa.Column("conferred_by", sa.String, nullable=False),
        sa.Column("decision_no", sa.String, nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("event_id", sa.String, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("conferred_award")
