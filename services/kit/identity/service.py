"""Who an officer is today: their token, their agency and the role they act with (their own, or
one lent by a delegation, `Caller.on_behalf_of` naming the lender)."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Forbidden
from services.kit.identity.models import Delegation, Officer
from services.kit.registry.models import Agency
from services.kit.registry.service import agency_on
from shared.rules.roles import DECIDING_RANK, MAY, Permission, may


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
    # The token the request came with (logging out revokes it).
    token_id: str | None = None


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
            col(Delegation.revoked_at).is_(None),
            Officer.active,
            Officer.agency_code == officer.agency_code,
            Officer.role == Delegation.role,
        )
        .order_by(col(Delegation.starts_on), col(Delegation.id))
    )
    best: tuple[str, str] | None = None
    for role, delegator in rows.all():
        if DECIDING_RANK.get(role, 0) > max(own, DECIDING_RANK.get(best[0], 0) if best else 0):
            best = (role, delegator)
    return best


async def retired_reason(session: AsyncSession, code: str, today: date) -> str | None:
    """Why the agency cannot act today (it was retired by a reorganization), or None."""
    if await agency_on(session, code, today) is not None:
        return None
    last = (
        await session.exec(select(Agency).where(Agency.code == code).order_by(col(Agency.valid_from).desc()))
    ).first()
    if last is None:
        return None  # an agency outside the registry (tests, tools): nothing to check against
    successors = ", ".join(last.successors or []) or "none recorded"
    return (
        f"{code} ({last.name}) no longer exists on {today.isoformat()} (its last day was "
        f"{last.valid_to.isoformat() if last.valid_to else '?'}; successors: {successors}); "
        "its officers cannot act for it"
    )


def require(caller: Caller, permission: Permission, *, acting: bool = True) -> None:
    """The caller's role must allow `permission` (`shared.rules.roles.MAY`); to act (not just
    read), its agency must exist today."""
    if acting and caller.retired:
        raise Forbidden(caller.retired, "AgencyRetired")
    if not may(caller.role, permission):
        lent = f" (lent by {caller.on_behalf_of})" if caller.on_behalf_of else ""
        raise Forbidden(
            f"your role '{caller.role}'{lent} at {caller.agency_code} cannot do this; "
            f"it needs one of: {', '.join(MAY[permission])}",
            "WrongRole",
            vi=f"vai trò '{caller.role}' tại {caller.agency_code} không được làm việc này; "
            f"cần một trong các vai trò: {', '.join(MAY[permission])}",
        )
