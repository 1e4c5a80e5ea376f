"""API models of delegations."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.rules.days import Day

Status = Literal["scheduled", "active", "ended", "revoked"]


class DelegationIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    to_officer_id: str = Field(description="The colleague who will act in your role")
    starts_on: Day = Field(alias="from", description="First day of the delegation (inclusive)")
    ends_on: Day = Field(alias="to", description="Last day of the delegation (inclusive)")
    reason: str = Field(min_length=1, description="Why (leave, mission, illness…); kept in the audit log")


class RevokeIn(BaseModel):
    reason: str | None = Field(default=None, description="Why the delegation ends early")


class DelegationOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    agency_code: str
    from_officer_id: str
    to_officer_id: str
    role: str
    starts_on: date = Field(serialization_alias="from")
    ends_on: date = Field(serialization_alias="to")
    reason: str
    status: Status
    created_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None


class EffectiveRoleOut(BaseModel):
    officer_id: str
    agency_code: str
    own_role: str
    role: str = Field(description="The role the caller acts with today (lent by a delegation, or their own)")
    on_behalf_of: str | None = Field(description="Whose role the caller exercises, when it is lent")
    on: date
