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
    """A person who acts for one agency in one role. Logs in with a username and password (argon2
    hash), and a TOTP code once they have enrolled one; demo officers have only a demo token."""

    __tablename__ = "officer"

    id: str = Field(primary_key=True)
    agency_code: str = Field(index=True)
    name: str
    role: str
    active: bool = True
    username: str | None = Field(default=None, unique=True)
    # Where notifications go by e-mail when the service has SMTP configured; optional.
    email: str | None = None
    password_hash: str | None = None
    totp_secret: str | None = None
    totp_enabled: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    demo: bool = False


class OfficerToken(SQLModel, table=True):
    """A bearer token, stored as its SHA-256: issued at login (`login`), for a program (`api`), or
    seeded for a demo officer (`demo`, accepted only in development). It ends when it expires or
    is revoked, and every token of an officer ends when the officer is deactivated."""

    __tablename__ = "officer_token"

    id: str = Field(primary_key=True)
    officer_id: str = Field(index=True)
    token_sha256: str = Field(unique=True)
    kind: str
    label: str | None = None
    issued_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None
