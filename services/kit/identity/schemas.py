"""API models of logins, tokens and officers."""

from datetime import datetime

from pydantic import BaseModel, Field


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    totp_code: str | None = Field(default=None, max_length=10, description="Once a second factor is enrolled")


class TokenOut(BaseModel):
    token: str = Field(description="Send it as 'Authorization: Bearer <token>'; it is shown only once")
    token_id: str
    expires_at: datetime | None
    officer_id: str
    agency_code: str
    role: str


class ApiTokenIn(BaseModel):
    label: str = Field(min_length=1, max_length=100, description="What the token is for, e.g. 'CLI on my laptop'")
    days: int = Field(default=30, ge=1, description="Lifetime; at most API_TOKEN_MAX_DAYS")


class TokenInfo(BaseModel):
    id: str
    kind: str
    label: str | None
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class PasswordIn(BaseModel):
    current: str = Field(min_length=1, max_length=256)
    new: str = Field(min_length=1, max_length=256)


class TotpCodeIn(BaseModel):
    code: str = Field(min_length=6, max_length=10)


class OfficerIn(BaseModel):
    username: str = Field(min_length=3, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    role: str
    password: str | None = Field(
        default=None, max_length=256, description="Omit it to have a temporary password made and shown once"
    )
    email: str | None = Field(
        default=None, max_length=254, description="Where notifications go by e-mail, when the service sends e-mail"
    )


class RoleIn(BaseModel):
    role: str


class EmailIn(BaseModel):
    email: str | None = Field(max_length=254, description="The officer's e-mail address; null or empty removes it")


class OfficerOut(BaseModel):
    id: str
    agency_code: str
    name: str
    role: str
    username: str | None
    email: str | None
    active: bool
    totp_enabled: bool
    locked_until: datetime | None
    demo: bool


class NewOfficerOut(OfficerOut):
    temporary_password: str | None = Field(default=None, description="Shown once, when none was given")
