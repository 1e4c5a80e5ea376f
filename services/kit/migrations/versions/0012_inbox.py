"""The inbox searches and sorts in the database: reviews keep their nominee's folded name, and an
index serves one agency's reviews in a status by deadline.

Revision ID: 0012_inbox
Revises: 0011_nominees
"""

import sqlalchemy as sa
from alembic import op

from shared.text import fold

revision = "0012_inbox"
down_revision = "0011_nominees"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("nominee_search", sa.String, nullable=False, server_default=""))
        batch.create_index("ix_review_nominee_search", ["nominee_search"])
        batch.create_index("ix_review_inbox", ["agency_code", "status", "due_on"])
        batch.create_index("ix_review_agency_proposer", ["agency_code", "proposer_agency"])
        batch.create_index("ix_review_nomination_agency", ["nomination_id", "agency_code"])
    connection = op.get_bind()
    rows = connection.execute(sa.text("select id, nominee_name from review")).all()
    review = sa.table("review", sa.column("id", sa.Integer), sa.column("nominee_search", sa.String))
    for start in range(0, len(rows), 2000):
        connection.execute(
            review.update().where(review.c.id == sa.bindparam("row_id")).values(nominee_search=sa.bindparam("folded")),
            [{"row_id": row_id, "folded": fold(name)} for row_id, name in rows[start : start + 2000]],
        )


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.drop_index("ix_review_nomination_agency")
        batch.drop_index("ix_review_agency_proposer")
        batch.drop_index("ix_review_inbox")
        batch.drop_index("ix_review_nominee_search")
        batch.drop_column("nominee_search")
