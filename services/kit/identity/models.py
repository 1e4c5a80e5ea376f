"""Officers and the roles lent between them (delegations)."""

from datetime import date, datetime

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


class Officer(SQLModel, table=True):
    __tablename__ = "officer"

    id: str = Field(primary_key=True)
    agency_code: str = Field(index=True)
    name: str
    role: str
    token_sha256: str = Field(unique=True)
    active: bool = True
