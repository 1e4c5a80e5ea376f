"""Identity: officers log in with a username, a password (argon2) and optionally TOTP; tokens
expire and can be revoked, and live in their own table.

Every officer so far came from the demo seed: their tokens move to `officer_token` as demo tokens.

Revision ID: 0009_identity
Revises: 0008_deadlines
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0009_identity"
down_revision = "0008_deadlines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "officer_token",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("officer_id", sa.String, nullable=False, index=True),
        sa.Column("token_sha256", sa.String, nullable=False, unique=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("label", sa.String),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by", sa.String),
    )
    connection = op.get_bind()
    existing = connection.execute(sa.text("select id, token_sha256 from officer")).all()
    now = datetime.now(UTC)
    tokens = sa.table(
        "officer_token",
        sa.column("id", sa.String),
        sa.column("officer_id", sa.String),
        sa.column("token_sha256", sa.String),
        sa.column("kind", sa.String),
        sa.column("issued_at", sa.DateTime(timezone=True)),
    )
    if existing:
        op.bulk_insert(
            tokens,
            [
                {
                    "id": str(uuid.uuid4()),
                    "officer_id": officer,
                    "token_sha256": digest,
                    "kind": "demo",
                    "issued_at": now,
                }
                for officer, digest in existing
            ],
        )
    with op.batch_alter_table("officer") as batch:
        batch.add_column(sa.Column("username", sa.String))
        batch.add_column(sa.Column("password_hash", sa.String))
        batch.add_column(sa.Column("totp_secret", sa.String))
        batch.add_column(sa.Column("totp_enabled", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("created_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("created_by", sa.String))
        batch.add_column(sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.create_unique_constraint("uq_officer_username", ["username"])
        batch.drop_column("token_sha256")
    op.execute(sa.text("update officer set demo = true"))


def downgrade() -> None:
    with op.batch_alter_table("officer") as batch:
        batch.add_column(sa.Column("token_sha256", sa.String))
    op.execute(
        sa.text(
            "update officer set token_sha256 = (select min(token_sha256) from officer_token "
            "where officer_token.officer_id = officer.id and officer_token.kind = 'demo')"
        )
    )
    with op.batch_alter_table("officer") as batch:
        batch.drop_constraint("uq_officer_username", type_="unique")
        for column in (
            "username",
            "password_hash",
            "totp_secret",
            "totp_enabled",
            "failed_logins",
            "locked_until",
            "created_at",
            "created_by",
            "demo",
        ):
            batch.drop_column(column)
    op.drop_table("officer_token")
