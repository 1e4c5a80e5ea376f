"""A tờ trình for many nominees: numbered batches of nominations, and the batch on every review.

Revision ID: 0027_batches
Revises: 0026_clusters
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_batches"
down_revision = "0026_clusters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proposal_batch",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("proposer_agency", sa.String, nullable=False, index=True),
        sa.Column("number", sa.String, nullable=False),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("created_by", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("proposer_agency", "number"),
    )
    with op.batch_alter_table("nomination") as batch:
        batch.add_column(sa.Column("batch_id", sa.String, nullable=True))
        batch.create_index("ix_nomination_batch_id", ["batch_id"])
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("batch_no", sa.String, nullable=True))
        batch.create_index("ix_review_batch", ["agency_code", "batch_no"])


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.drop_index("ix_review_batch")
        batch.drop_column("batch_no")
    with op.batch_alter_table("nomination") as batch:
        batch.drop_index("ix_nomination_batch_id")
        batch.drop_column("batch_id")
    op.drop_table("proposal_batch")
