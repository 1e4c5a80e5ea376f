"""Signed checkpoints of the audit log, the cosignatures of witnesses, the witness's alarms, and the
openings of personal data the log holds as salted commitments.

Revision ID: 0032_audit_checkpoints
Revises: 0022_nominee_people
"""

import sqlalchemy as sa
from alembic import op

revision = "0032_audit_checkpoints"
down_revision = "0033_award_record_nominee"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("origin", sa.String, nullable=False, index=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("root", sa.String, nullable=False),
        sa.Column("time", sa.String, nullable=False),
        sa.Column("public_key", sa.String, nullable=False),
        sa.Column("signature", sa.String, nullable=False),
        sa.UniqueConstraint("origin", "size"),
    )
    op.create_table(
        "audit_cosignature",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("origin", sa.String, nullable=False, index=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("root", sa.String, nullable=False),
        sa.Column("witness", sa.String, nullable=False),
        sa.Column("witness_key", sa.String, nullable=False),
        sa.Column("cosigned_at", sa.String, nullable=False),
        sa.Column("signature", sa.String, nullable=False),
        sa.UniqueConstraint("origin", "size", "witness"),
    )
    op.create_table(
        "audit_alarm",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("origin", sa.String, nullable=False, index=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("root", sa.String, nullable=False),
        sa.Column("reason", sa.String, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checkpoint", sa.JSON, nullable=False),
    )
    op.create_table(
        "audit_personal",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_key", sa.String, nullable=False, index=True),
        sa.Column("subject", sa.String, nullable=False, index=True),
        sa.Column("field", sa.String, nullable=False),
        sa.Column("value", sa.JSON),
        sa.Column("salt", sa.String, nullable=False),
        sa.UniqueConstraint("record_key", "field"),
    )


def downgrade() -> None:
    op.drop_table("audit_personal")
    op.drop_table("audit_alarm")
    op.drop_table("audit_cosignature")
    op.drop_table("audit_checkpoint")
