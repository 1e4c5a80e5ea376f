"""Bearer-token officers: every request is scoped to the caller's agency and role."""

import hashlib
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.models import Officer

ROLES = ("clerk", "council_member", "chair", "auditor", "admin")

_bearer = HTTPBearer(auto_error=False, description="Officer token issued by the agency admin")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Caller:
    officer_id: str
    name: str
    agency_code: str
    role: str


async def current_officer(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Caller:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token: send 'Authorization: Bearer <officer token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    factory = request.app.state.kit.sessions
    async with factory() as session:
        officer = await _officer_by_token(session, credentials.credentials)
    if officer is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown or deactivated officer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Caller(officer.id, officer.name, officer.agency_code, officer.role)


async def _officer_by_token(session: AsyncSession, token: str) -> Officer | None:
    found = await session.exec(
        select(Officer).where(Officer.token_sha256 == token_digest(token), Officer.active)
    )
    return found.first()


def require_role(caller: Caller, *roles: str) -> None:
    if caller.role not in roles:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"your role '{caller.role}' at {caller.agency_code} cannot do this; "
            f"it needs one of: {', '.join(roles)}",
        )
