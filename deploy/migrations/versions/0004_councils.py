"""Councils, rosters, meetings, ballots; public consultation and comments.

Revision ID: 0004_councils
Revises: 0003_reorg
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0004_councils"
down_revision = "0003_reorg"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
