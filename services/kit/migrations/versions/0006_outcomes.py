"""Conferral details, revocations, strip and restore.

Revision ID: 0006_outcomes
Revises: 0005_dossier
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_outcomes"
down_revision = "0005_dossier"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Later decisions on conferred awards (shared/kit/outcomes.py): taken here, or received by event.
    op.create_table(
        "award_change",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nomination_id", sa.String, nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("award_code", sa.String, nullable=False),
        sa.Column("nominee_name", sa.String, nullable=False),
        sa.Column("nominee_id", sa.String),
        sa.Column("agency_code", sa.String, nullable=False, index=True),
        sa.Column("decision_no", sa.String, nullable=False),
        sa.Column("original_decision_no", sa.String, nullable=False),
        sa.Column("ground", sa.String),
        sa.Column("reason", sa.String),
        sa.Column("recovered_amount", sa.BigInteger),
        sa.Column("recovered_items", sa.String),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String, nullable=False, unique=True),
        sa.UniqueConstraint("nomination_id", "seq"),
    )


def downgrade() -> None:
    op.drop_table("award_change")
