"""Every service keeps a record of the awards conferred anywhere, for its statistics.

Revision ID: 0029_award_records
Revises: 0028_nominee_profile
"""

import sqlalchemy as sa
from alembic import op

revision = "0029_award_records"
down_revision = "0028_nominee_profile"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "award_record",
        sa.Column("nomination_id", sa.String, primary_key=True),
        sa.Column("award_code", sa.String, nullable=False),
        sa.Column("level", sa.String, nullable=False),
        sa.Column("nominee_kind", sa.String),
        sa.Column("nominee_position", sa.String),
        sa.Column("direct_worker", sa.Boolean),
        sa.Column("nominee_sex", sa.String),
        sa.Column("nominee_ethnicity", sa.String),
        sa.Column("mode", sa.String),
        sa.Column("proposer_agency", sa.String, nullable=False, index=True),
        sa.Column("conferred_by", sa.String, nullable=False),
        sa.Column("decision_no", sa.String, nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False, index=True),
        sa.Column("status", sa.String, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("award_record")
