"""Nominees have a managing agency; facts recorded in error can be retracted; reviews know whose
history they concern.

Revision ID: 0011_nominees
Revises: 0010_agency_search
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_nominees"
down_revision = "0010_agency_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nominee",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("search_name", sa.String, nullable=False),
        sa.Column("managing_agency", sa.String, nullable=False),
        sa.Column("registered_by", sa.String, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nominee_search_name", "nominee", ["search_name"])
    op.create_index("ix_nominee_managing_agency", "nominee", ["managing_agency"])
    with op.batch_alter_table("nominee_fact") as batch:
        batch.add_column(sa.Column("origin", sa.String, nullable=False, server_default="recorded"))
        batch.add_column(sa.Column("retracted_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("retracted_by", sa.String))
        batch.add_column(sa.Column("retraction_reason", sa.String))
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("nominee_id", sa.String))
        batch.create_index("ix_review_nominee_id", ["nominee_id"])


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.drop_index("ix_review_nominee_id")
        batch.drop_column("nominee_id")
    with op.batch_alter_table("nominee_fact") as batch:
        for column in ("retraction_reason", "retracted_by", "retracted_at", "origin"):
            batch.drop_column(column)
    op.drop_index("ix_nominee_managing_agency", "nominee")
    op.drop_index("ix_nominee_search_name", "nominee")
    op.drop_table("nominee")
