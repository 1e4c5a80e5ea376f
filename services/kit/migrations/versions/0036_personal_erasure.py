"""When a nominee's erasable personal data was last erased: profile values told before it are not learnt again.

Revision ID: 0036_personal_erasure
Revises: 0032_audit_checkpoints
"""

import sqlalchemy as sa
from alembic import op

revision = "0036_personal_erasure"
down_revision = "0035_agency_succession"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nominee") as batch:
        batch.add_column(sa.Column("personal_erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nominee") as batch:
        batch.drop_column("personal_erased_at")
