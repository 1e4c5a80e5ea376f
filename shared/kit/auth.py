"""Bearer-token officers: every request is scoped to the caller's agency and role.

A substitute approver (người được ủy quyền) acts with a role lent by a delegation
(`shared.kit.delegations`): while one applies, `Caller.role` is the lent role and
`Caller.on_behalf_of` names the officer who lent it, so a decision can record both.
"""

import hashlib
from dataclasses import dataclass
from datetime import date

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.hierarchy.registry import agency_on
from shared.kit.lifecycle_models import Delegation
from shared.models import Agency, Officer

ROLES = ("clerk", "council_member", "chair", "auditor", "admin")
# Roles that decide on nominations, weakest first: only these can be lent by a delegation.
DECIDING_RANK = {"chair": 1, "admin": 2}

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
    # Set when `role` is lent by a delegation active today: the id of the officer who lent it.
    on_behalf_of: str | None = None


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
        lent = await delegated_role(session, officer, today)
    role, on_behalf_of = lent or (officer.role, None)
    return Caller(officer.id, officer.name, officer.agency_code, role, retired, on_behalf_of)


async def delegated_role(session: AsyncSession, officer: Officer, on: date) -> tuple[str, str] | None:
    """The (role, delegator id) a delegation lends `officer` on `on`, when it is stronger than their own.

    A delegation applies from its first to its last day inclusive, unless revoked, only within one
    agency, and only while the delegator is active and still holds the role they lent. An officer
    never loses their own role to a weaker one; among several delegations the strongest role wins
    (then the earliest). Each request costs one indexed query, skipped for the strongest role.
    """
    own = DECIDING_RANK.get(officer.role, 0)
    if own == max(DECIDING_RANK.values()):
        return None
    rows = await session.exec(
        select(Delegation.role, Delegation.from_officer_id)
        .join(Officer, Officer.id == Delegation.from_officer_id)  # type: ignore[arg-type]
        .where(
            Delegation.to_officer_id == officer.id,
            Delegation.agency_code == officer.agency_code,
            Delegation.starts_on <= on,
            Delegation.ends_on >= on,
            Delegation.revoked_at.is_(None),  # type: ignore[union-attr]
            Officer.active,
            Officer.agency_code == officer.agency_code,
            Officer.role == Delegation.role,
        )
        .order_by(Delegation.starts_on, Delegation.id)  # type: ignore[arg-type]
    )
    best: tuple[str, str] | None = None
    for role, delegator in rows.all():
        if DECIDING_RANK.get(role, 0) > max(own, DECIDING_RANK.get(best[0], 0) if best else 0):
            best = (role, delegator)
    return best


async def _retired(session: AsyncSession, code: str, today: date) -> str | None:
    """Why the agency cannot act today (it was retired by a reorganization), or None."""
    if await agency_on(session, code, today) is not None:
        return None
    last = (await session.exec(select(Agency).where(Agency.code == code).order_by(Agency.valid_from.desc()))).first()  # type: ignore[attr-defined]
    if last is None:
        return None  # an agency outside the registry (tests, tools): nothing to check against
    successors = ", ".join(last.successors or []) or "none recorded"
    return (
        f"{code} ({last.name}) no longer exists on {today.isoformat()} (its last day was "
        f"{last.valid_to.isoformat() if last.valid_to else '?'}; successors: {successors}); "
        "its officers cannot act for it"
    )


async def _officer_by_token(session: AsyncSession, token: str) -> Officer | None:
    found = await session.exec(select(Officer).where(Officer.token_sha256 == token_digest(token), Officer.active))
    return found.first()


def require_role(caller: Caller, *roles: str, acting: bool = True) -> None:
    """The caller must hold one of `roles`; to act (not just read), its agency must exist today."""
    if acting and caller.retired:
        raise HTTPException(status.HTTP_403_FORBIDDEN, caller.retired)
    if caller.role not in roles:
        lent = f" (lent by {caller.on_behalf_of})" if caller.on_behalf_of else ""
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"your role '{caller.role}'{lent} at {caller.agency_code} cannot do this; "
            f"it needs one of: {', '.join(roles)}",
        )
