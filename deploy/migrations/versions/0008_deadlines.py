"""Deadlines, reminders, escalations and holds on reviews.

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
    pass


def downgrade() -> None:
    pass
