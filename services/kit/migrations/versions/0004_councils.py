"""Councils, rosters, meetings, ballots; public consultation and comments.

Revision ID: 0004_councils
Revises: 0003_reorg

`ballot_voter` and `ballot_vote` have no timestamp, no serial id and no shared key besides the
item and round: who voted and what was voted cannot be joined (shared/kit/council_models.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_councils"
down_revision = "0003_reorg"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "council",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("agency_code", sa.String, nullable=False, index=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("quorum", sa.String),
        sa.Column("default_threshold", sa.String, nullable=False),
        sa.Column("created_by", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "council_member",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("council_id", sa.String, sa.ForeignKey("council.id"), nullable=False, index=True),
        sa.Column("officer_id", sa.String, nullable=False, index=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("position", sa.String, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
    )
    op.create_table(
        "council_meeting",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("council_id", sa.String, sa.ForeignKey("council.id"), nullable=False, index=True),
        sa.Column("agency_code", sa.String, nullable=False, index=True),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("present", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "council_item",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("meeting_id", sa.String, sa.ForeignKey("council_meeting.id"), nullable=False, index=True),
        sa.Column("nomination_id", sa.String, nullable=False, index=True),
        sa.Column("award_code", sa.String, nullable=False),
        sa.Column("nominee_name", sa.String, nullable=False),
        sa.Column("threshold", sa.String, nullable=False),
        sa.Column("quorum", sa.String, nullable=False),
        sa.Column("max_rounds", sa.Integer, nullable=False),
        sa.Column("after_last_round", sa.String, nullable=False),
        sa.Column("basis", sa.JSON, nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("state", sa.String, nullable=False),
        sa.Column("outcome", sa.String),
        sa.Column("passed", sa.Boolean),
        sa.Column("chair_reason", sa.String),
        sa.Column("concluded_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("meeting_id", "nomination_id"),
    )
    op.create_table(
        "ballot_round",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("council_item.id"), nullable=False, index=True),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("present", sa.JSON, nullable=False),
        sa.Column("tally", sa.JSON),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("item_id", "round"),
    )
    op.create_table(
        "ballot_voter",
        sa.Column("item_id", sa.Integer, primary_key=True),
        sa.Column("round", sa.Integer, primary_key=True),
        sa.Column("officer_id", sa.String, primary_key=True),
    )
    op.create_table(
        "ballot_vote",
        sa.Column("receipt_sha256", sa.String, primary_key=True),
        sa.Column("item_id", sa.Integer, nullable=False, index=True),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("yes", sa.Boolean, nullable=False),
    )
    op.create_table(
        "consultation",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("nomination_id", sa.String, nullable=False, unique=True),
        sa.Column("agency_code", sa.String, nullable=False, index=True),
        sa.Column("award_code", sa.String, nullable=False),
        sa.Column("nominee_name", sa.String, nullable=False),
        sa.Column("posted_on", sa.Date, nullable=False),
        sa.Column("channel", sa.String, nullable=False),
        sa.Column("working_days", sa.Integer, nullable=False),
        sa.Column("closes_on", sa.Date, nullable=False),
        sa.Column("opened_by", sa.String, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "consultation_comment",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("consultation_id", sa.String, sa.ForeignKey("consultation.id"), nullable=False, index=True),
        sa.Column("author_name", sa.String, nullable=False),
        sa.Column("contact", sa.String),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String, nullable=False),
        sa.Column("hold_reason", sa.String),
        sa.Column("held_by", sa.String),
        sa.Column("held_at", sa.DateTime(timezone=True)),
        sa.Column("release_reason", sa.String),
        sa.Column("released_by", sa.String),
        sa.Column("released_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    for table in (
        "consultation_comment",
        "consultation",
        "ballot_vote",
        "ballot_voter",
        "ballot_round",
        "council_item",
        "council_meeting",
        "council_member",
        "council",
    ):
        op.drop_table(table)
