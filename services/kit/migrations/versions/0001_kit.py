"""Tables every tier has: registry replica, officers, dossiers, reviews, audit chain, outbox.

Revision ID: 0001_kit
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_kit"
down_revision = None
branch_labels = ("kit",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String, nullable=False, index=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("tier", sa.String, nullable=False, index=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("parent_code", sa.String, index=True),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date),
        sa.Column("successors", sa.JSON, nullable=False),
        sa.Column("legal_basis", sa.String),
        sa.UniqueConstraint("code", "valid_from"),
    )
    op.create_table(
        "officer",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("agency_code", sa.String, nullable=False, index=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("token_sha256", sa.String, nullable=False, unique=True),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "nomination",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("proposer_agency", sa.String, nullable=False, index=True),
        sa.Column("nominee_name", sa.String, nullable=False),
        sa.Column("nominee_kind", sa.String, nullable=False),
        sa.Column("award_code", sa.String, nullable=False),
        sa.Column("reason", sa.String, nullable=False),
        sa.Column("status", sa.String, nullable=False, index=True),
        sa.Column("created_by", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("route", sa.JSON, nullable=False),
        sa.Column("outcome_at", sa.DateTime(timezone=True)),
        sa.Column("outcome_agency", sa.String),
        sa.Column("outcome_reason", sa.String),
        sa.Column("decision_no", sa.String),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("nomination_id", sa.String, sa.ForeignKey("nomination.id"), nullable=False, index=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("filename", sa.String, nullable=False),
        sa.Column("content_type", sa.String, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "review",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("nomination_id", sa.String, nullable=False, index=True),
        sa.Column("workflow_id", sa.String, nullable=False),
        sa.Column("agency_code", sa.String, nullable=False, index=True),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("visit", sa.Integer, nullable=False),
        sa.Column("status", sa.String, nullable=False, index=True),
        sa.Column("award_code", sa.String, nullable=False),
        sa.Column("nominee_name", sa.String, nullable=False),
        sa.Column("proposer_agency", sa.String, nullable=False),
        sa.Column("route", sa.JSON, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decided_by", sa.String),
        sa.Column("reason", sa.String),
        sa.UniqueConstraint("nomination_id", "step", "visit"),
    )
    op.create_table(
        "audit_record",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("idempotency_key", sa.String, nullable=False, unique=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agency_code", sa.String, nullable=False, index=True),
        sa.Column("nomination_id", sa.String, index=True),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("action", sa.String, nullable=False),
        sa.Column("reason", sa.String),
        sa.Column("outcome", sa.String, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.String, nullable=False),
        sa.Column("hash", sa.String, nullable=False, unique=True),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String, nullable=False, unique=True),
        sa.Column("topic", sa.String, nullable=False),
        sa.Column("key", sa.String, nullable=False),
        sa.Column("envelope", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), index=True),
    )
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.String, primary_key=True),
        sa.Column("event_type", sa.String, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("processed_event", "outbox", "audit_record", "review", "document", "nomination", "officer", "agency"):
        op.drop_table(table)
