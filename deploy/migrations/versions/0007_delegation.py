"""Delegations to substitute approvers; tracking codes.

Revision ID: 0007_delegation
Revises: 0006_outcomes
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0007_delegation"
down_revision = "0006_outcomes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
