"""Reviews know their nominee's kind (individual, collective, household), so that the inbox filters
by it; the inbox also serves "assigned to me" and a kind filter from an index.

Old rows are filled only where the kind is known: from the proposer's own nomination row when this
service holds it, else from the award when the catalog gives it to one kind of recipient only.
The rest stay NULL (unknown): the inbox shows "—" for them and no kind filter matches them.

Revision ID: 0016_review_kind
Revises: 0015_document_bytes
"""

import sqlalchemy as sa
from alembic import op

from shared.rules.catalog import default_catalog

revision = "0016_review_kind"
down_revision = "0015_document_bytes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("nominee_kind", sa.String, nullable=True))
        batch.create_index("ix_review_inbox_kind", ["agency_code", "status", "nominee_kind", "due_on"])
        batch.create_index("ix_review_assignee", ["agency_code", "assigned_to", "status", "due_on"])
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "update review set nominee_kind = "
            "(select n.nominee_kind from nomination n where n.id = review.nomination_id) "
            "where nominee_kind is null and exists (select 1 from nomination n where n.id = review.nomination_id)"
        )
    )
    for code, award in default_catalog().awards.items():
        if len(award.recipients) == 1:
            connection.execute(
                sa.text("update review set nominee_kind = :kind where nominee_kind is null and award_code = :code"),
                {"kind": award.recipients[0], "code": code},
            )


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.drop_index("ix_review_assignee")
        batch.drop_index("ix_review_inbox_kind")
        batch.drop_column("nominee_kind")
