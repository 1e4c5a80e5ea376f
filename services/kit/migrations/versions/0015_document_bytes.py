"""Documents' bytes leave the database for the shared object store: the rows keep metadata only.

Rows uploaded before the store existed keep their bytes, and reading falls back to them; rows
uploaded since have none (NULL).

Revision ID: 0015_document_bytes
Revises: 0014_review_documents
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_document_bytes"
down_revision = "0014_review_documents"
branch_labels = None
depends_on = None

TABLES = ("document", "level_document")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("content", existing_type=sa.LargeBinary, nullable=True)


def downgrade() -> None:
    # The bytes of newer rows are in the object store, which a migration does not reach: refuse
    # rather than leave rows that the older code would read as empty documents.
    for table in TABLES:
        without = op.get_bind().execute(sa.text(f"select count(*) from {table} where content is null")).scalar()
        if without:
            raise RuntimeError(
                f"{without} {table} rows keep their bytes in the object store only; copy them back into "
                f"{table}.content before downgrading below 0015_document_bytes"
            )
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("content", existing_type=sa.LargeBinary, nullable=False)
