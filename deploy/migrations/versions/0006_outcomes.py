"""Conferral details, revocations, strip and restore.

Revision ID: 0006_outcomes
Revises: 0005_dossier
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0006_outcomes"
down_revision = "0005_dossier"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
