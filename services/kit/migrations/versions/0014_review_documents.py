"""Each level keeps the dossier's manifest as it reached it, so that its officers can read every
document from the shared object store.

Revision ID: 0014_review_documents
Revises: 0013_notifications
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_review_documents"
down_revision = "0013_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("documents", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.drop_column("documents")
