"""The national registry keeps what statistics need about each award: the nominee's kind, position
category, sex and ethnicity, and the award's mode.

Revision ID: c002_central_profile
Revises: c001_central_awards
"""

import sqlalchemy as sa
from alembic import op

revision = "c002_central_profile"
down_revision = "c001_central_awards"
branch_labels = None
depends_on = None

COLUMNS = ("nominee_kind", "nominee_position", "nominee_sex", "nominee_ethnicity", "mode")


def upgrade() -> None:
    with op.batch_alter_table("conferred_award") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.String, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conferred_award") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
