"""A conferred review keeps its decision's number (số quyết định) and day, so that a quyết định's
awardees and the list of an agency's decisions are read through an index, not from every conferral
the agency ever made. Reviews conferred before are given what their audit record holds.

Revision ID: 0038_review_decision_no
Revises: 0037_checkpoint_frontier
"""

import json
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0038_review_decision_no"
down_revision = "0037_checkpoint_frontier"
branch_labels = None
depends_on = None

CHUNK = 1000


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("decision_no", sa.String, nullable=True))
        batch.add_column(sa.Column("decided_on", sa.Date, nullable=True))
        batch.create_index("ix_review_decision", ["agency_code", "decision_no"])
    bind = op.get_bind()
    # The conferral's audit record (decision.confer) names the nomination, the agency and the number.
    found = bind.execute(
        sa.text("SELECT nomination_id, agency_code, details FROM audit_record WHERE action = 'decision.confer'")
    )
    numbers = []
    for nomination_id, agency_code, details in found:
        said = json.loads(details) if isinstance(details, str) else details or {}
        if said.get("decision_no"):
            day = date.fromisoformat(said["decided_on"]) if said.get("decided_on") else None
            numbers.append({"n": nomination_id, "a": agency_code, "no": said["decision_no"], "on": day})
    update = sa.text(
        "UPDATE review SET decision_no = :no, decided_on = :on"
        " WHERE nomination_id = :n AND agency_code = :a AND status = 'conferred'"
    )
    for start in range(0, len(numbers), CHUNK):
        bind.execute(update, numbers[start : start + CHUNK])


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.drop_index("ix_review_decision")
        batch.drop_column("decided_on")
        batch.drop_column("decision_no")
