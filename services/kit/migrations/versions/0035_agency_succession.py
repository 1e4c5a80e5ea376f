"""An agency's closing audit record, found quickly and at most one per agency: a partial unique
index on `audit_record(agency_code)` over the records whose action is `agency.log_closed`
(decision 0039). No new table: the closing record is the per-agency marker.

Revision ID: 0035_agency_succession
Revises: 0032_audit_checkpoints
"""

import sqlalchemy as sa
from alembic import op

revision = "0035_agency_succession"
down_revision = "0032_audit_checkpoints"
branch_labels = None
depends_on = None

CLOSED = sa.text("action = 'agency.log_closed'")


def upgrade() -> None:
    op.create_index(
        "ux_audit_record_agency_closed",
        "audit_record",
        ["agency_code"],
        unique=True,
        sqlite_where=CLOSED,
        postgresql_where=CLOSED,
    )


def downgrade() -> None:
    op.drop_index("ux_audit_record_agency_closed", table_name="audit_record")
