"""Notifications: events that concern an agency's officers, and how far each officer has read.

Revision ID: 0013_notifications
Revises: 0012_inbox
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_notifications"
down_revision = "0012_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String, nullable=False, unique=True),
        sa.Column("agency_code", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("nomination_id", sa.String),
        sa.Column("text", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_notification_agency_code", "notification", ["agency_code"])
    op.create_table(
        "notification_seen",
        sa.Column("officer_id", sa.String, primary_key=True),
        sa.Column("last_seen_id", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("notification_seen")
    op.drop_index("ix_notification_agency_code", "notification")
    op.drop_table("notification")
