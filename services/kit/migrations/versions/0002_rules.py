"""The law as data: nominee history facts, and the regime, mode and eligibility verdict of dossiers.

Revision ID: 0002_rules
Revises: 0001_kit
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_rules"
down_revision = "0001_kit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nominee_fact",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("fact_key", sa.String, nullable=False, unique=True),
        sa.Column("nominee_id", sa.String, nullable=False, index=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("fact", sa.JSON, nullable=False),
        sa.Column("source_agency", sa.String, nullable=False),
        sa.Column("recorded_by", sa.String, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("nomination") as batch:
        batch.add_column(sa.Column("nominee_id", sa.String, index=True))
        batch.add_column(sa.Column("mode", sa.String, nullable=False, server_default="cong_trang"))
        batch.add_column(sa.Column("period_year", sa.Integer))
        batch.add_column(sa.Column("movement_code", sa.String))
        batch.add_column(sa.Column("achievement", sa.String))
        batch.add_column(sa.Column("initiative_ids", sa.JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("regime", sa.String))
        batch.add_column(sa.Column("eligibility", sa.JSON))
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("regime", sa.String))
        batch.add_column(sa.Column("mode", sa.String))
        batch.add_column(sa.Column("eligibility", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        for column in ("eligibility", "mode", "regime"):
            batch.drop_column(column)
    with op.batch_alter_table("nomination") as batch:
        for column in (
            "eligibility",
            "regime",
            "initiative_ids",
            "achievement",
            "movement_code",
            "period_year",
            "mode",
            "nominee_id",
        ):
            batch.drop_column(column)
    op.drop_table("nominee_fact")
