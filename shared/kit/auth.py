"""Bearer-token officers: every request is scoped to the caller's agency and role."""

import hashlib
from dataclasses import dataclass
from datetime import date

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.hierarchy.registry import agency_on
from shared.models import Agency, Officer

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
    # Set when the caller's agency no longer exists today (after a reorganization): the officer may
    # still read its records, but cannot act for it.
    retired: str | None = None


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
    today = request.app.state.kit.settings.today()
    async with factory() as session:
        officer = await _officer_by_token(session, credentials.credentials)
        if officer is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "unknown or deactivated officer token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        retired = await _retired(session, officer.agency_code, today)
    return Caller(officer.id, officer.name, officer.agency_code, officer.role, retired)


async def _retired(session: AsyncSession, code: str, today: date) -> str | None:
    """Why the agency cannot act today (it was retired by a reorganization), or None."""
    if await agency_on(session, code, today) is not None:
        return None
    last = (await session.exec(select(Agency).where(Agency.code == code).order_by(Agency.valid_from.desc()))).first()  # type: ignore[attr-defined]
    if last is None:
        return None  # an agency outside the registry (tests, tools): nothing to check against
    successors = ", ".join(last.successors or []) or "none recorded"
    return (f"{code} ({last.name}) no longer exists on {today.isoformat()} (its last day was "
            f"{last.valid_to.isoformat() if last.valid_to else '?'}; successors: {successors}); "
            "its officers cannot act for it")


async def _officer_by_token(session: AsyncSession, token: str) -> Officer | None:
    found = await session.exec(
        select(Officer).where(Officer.token_sha256 == token_digest(token), Officer.active)
    )
    return found.first()


def require_role(caller: Caller, *roles: str, acting: bool = True) -> None:
    """The caller must hold one of `roles`; to act (not just read), its agency must exist today."""
    if acting and caller.retired:
        raise HTTPException(status.HTTP_403_FORBIDDEN, caller.retired)
    if caller.role not in roles:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"your role '{caller.role}' at {caller.agency_code} cannot do this; "
            f"it needs one of: {', '.join(roles)}",
        )
