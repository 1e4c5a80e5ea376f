"""Each of a service's own checkpoints keeps its tree's frontier: the next is signed from the records since.

Revision ID: 0037_checkpoint_frontier
Revises: 0036_personal_erasure
"""

import sqlalchemy as sa
from alembic import op

revision = "0037_checkpoint_frontier"
down_revision = "0036_personal_erasure"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_checkpoint") as batch:
        batch.add_column(sa.Column("frontier", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_checkpoint") as batch:
        batch.drop_column("frontier")
