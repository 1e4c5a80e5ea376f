"""What statistics need about an individual nominee, on the dossier: position category, sex, ethnicity.

Revision ID: 0028_nominee_profile
Revises: 0027_batches
"""

import sqlalchemy as sa
from alembic import op

revision = "0028_nominee_profile"
down_revision = "0027_batches"
branch_labels = None
depends_on = None

COLUMNS = ("nominee_position", "nominee_sex", "nominee_ethnicity")


def upgrade() -> None:
    with op.batch_alter_table("nomination") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.String, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nomination") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
