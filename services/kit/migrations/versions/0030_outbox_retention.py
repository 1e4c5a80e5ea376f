"""The outbox keeps where the broker put each published row, to replay what a broker lost.

Revision ID: 0030_outbox_retention
Revises: 0022_nominee_people
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_outbox_retention"
down_revision = "0022_nominee_people"  # the head of main when this was written
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("log_partition", sa.Integer))
        table.add_column(sa.Column("log_offset", sa.Integer))
    op.create_index("ix_outbox_log_position", "outbox", ["topic", "log_partition", "log_offset"])


def downgrade() -> None:
    op.drop_index("ix_outbox_log_position", "outbox")
    with op.batch_alter_table("outbox") as table:
        table.drop_column("log_offset")
        table.drop_column("log_partition")
