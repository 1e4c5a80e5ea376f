"""What this service did with reorganization plans: applications and the per-nomination report."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class PlanApplication(SQLModel, table=True):
    """A reorganization plan this service's registry replica has applied (once)."""

    __tablename__ = "plan_application"

    id: int | None = Field(default=None, primary_key=True)
    plan_code: str = Field(unique=True)
    applied_at: datetime
    summary: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class TransferOutcome(SQLModel, table=True):
    """What re-routing did to one nomination under one plan (the per-item report)."""

    __tablename__ = "transfer_outcome"
    __table_args__ = (UniqueConstraint("plan_code", "nomination_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_code: str = Field(index=True)
    nomination_id: str
    outcome: str = Field(index=True)
    from_agency: str
    to_agency: str | None = None
    rule: str | None = None
    detail: str | None = None
    recorded_at: datetime
