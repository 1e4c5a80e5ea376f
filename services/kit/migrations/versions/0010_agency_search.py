"""Agencies can be found by name with or without diacritics: each version keeps its folded name.

Revision ID: 0010_agency_search
Revises: 0009_identity
"""

import sqlalchemy as sa
from alembic import op

from shared.text import fold

revision = "0010_agency_search"
down_revision = "0009_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("search_name", sa.String))
        batch.create_index("ix_agency_search_name", ["search_name"])
    connection = op.get_bind()
    rows = connection.execute(sa.text("select id, name from agency")).all()
    agency = sa.table("agency", sa.column("id", sa.Integer), sa.column("search_name", sa.String))
    for start in range(0, len(rows), 2000):
        connection.execute(
            agency.update().where(agency.c.id == sa.bindparam("row_id")).values(search_name=sa.bindparam("folded")),
            [{"row_id": row_id, "folded": fold(name)} for row_id, name in rows[start : start + 2000]],
        )


def downgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.drop_index("ix_agency_search_name")
        batch.drop_column("search_name")
