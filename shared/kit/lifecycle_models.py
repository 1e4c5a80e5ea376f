"""Tables for substitute approvers (delegations) and for tracking nominations by code.

Kept apart from `shared.models` so that the lifecycle features stay removable as a unit; every tier
has these tables (migration 0007_delegation), the rows are the service's own.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class Delegation(SQLModel, table=True):
    """An officer lends their deciding role to a colleague of the same agency for a period.

    `role` is the delegator's role when the delegation was made; it applies only while the
    delegator is still active and still holds that role, so a delegation never outlives the
    authority it lends.
    """

    __tablename__ = "delegation"

    id: str = Field(primary_key=True)
    agency_code: str = Field(index=True)
    from_officer_id: str = Field(index=True)
    to_officer_id: str = Field(index=True)
    role: str
    starts_on: date
    ends_on: date
    reason: str
    created_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None


class TrackingCode(SQLModel, table=True):
    """The code a proposer gives the nominee to follow their nomination without an account."""

    __tablename__ = "tracking_code"

    nomination_id: str = Field(primary_key=True)
    code: str = Field(unique=True)
    proposer_agency: str = Field(index=True)
    issued_at: datetime


class TrackingEntry(SQLModel, table=True):
    """One event of a nomination's life as its proposer's service saw it; keyed by event id so that
    redelivery adds nothing. The tracking views are computed from these rows at read time."""

    __tablename__ = "tracking_entry"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True)
    nomination_id: str = Field(index=True)
    event_type: str
    occurred_at: datetime
    agency_code: str
    step: int | None = None  # award changes (revocations) belong to no route step
    actor: str
    reason: str | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
