"""An award record keeps its nominee's id, so statistics can tell a small collective (a team or a
division an agency registered) from a body of the registry (decision 0035).

Revision ID: 0033_award_record_nominee
Revises: 0022_nominee_people
"""

import sqlalchemy as sa
from alembic import op

revision = "0033_award_record_nominee"
down_revision = "0034_cluster_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("award_record") as batch:
        batch.add_column(sa.Column("nominee_id", sa.String))


def downgrade() -> None:
    with op.batch_alter_table("award_record") as batch:
        batch.drop_column("nominee_id")
