"""Deadlines, reminders, escalations and holds on reviews; when a nomination's status last changed.

Revision ID: 0008_deadlines
Revises: 0007_delegation
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0008_deadlines"
down_revision = "0007_delegation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("due_on", sa.Date))
        batch.add_column(sa.Column("held", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("escalated", sa.String))
        batch.add_column(sa.Column("assigned_to", sa.String))
    with op.batch_alter_table("nomination") as batch:
        batch.add_column(sa.Column("status_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("nomination") as batch:
        batch.drop_column("status_at")
    with op.batch_alter_table("review") as batch:
        for column in ("assigned_to", "escalated", "held", "due_on"):
            batch.drop_column(column)
