"""Documents each level adds to a dossier (council minutes, tờ trình), with checksums.

Revision ID: 0005_dossier
Revises: 0004_councils
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005_dossier"
down_revision = "0004_councils"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "level_document",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("nomination_id", sa.String, nullable=False, index=True),
        sa.Column("agency_code", sa.String, nullable=False, index=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("filename", sa.String, nullable=False),
        sa.Column("content_type", sa.String, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("level_document")
