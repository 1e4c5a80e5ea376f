"""Tracking codes and the timeline rows behind them."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


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
