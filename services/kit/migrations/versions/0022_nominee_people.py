"""What statistics need about a registered individual, on the nominee: position category, sex, ethnicity.

Revision ID: 0022_nominee_people
Revises: 0029_award_records
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_nominee_people"
down_revision = "0029_award_records"  # the head of main when this was written
branch_labels = None
depends_on = None

COLUMNS = ("position_category", "sex", "ethnicity")


def upgrade() -> None:
    with op.batch_alter_table("nominee") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.String, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nominee") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
