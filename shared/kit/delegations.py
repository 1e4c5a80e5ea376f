"""Substitute approvers: a chair (or admin) lends their deciding role to a colleague for a period.

Vietnamese practice is the ủy quyền: while the head is away, a named deputy signs for them. Here the
lender creates the delegation; `shared.kit.auth.current_officer` then gives the delegate the lent
role on the days it covers and says on whose behalf they act. The lender keeps their own role.
Creating and revoking are audited. The deadline workflow's "reassign to a substitute" escalation
asks `substitute_for` whom to reassign a late step to.
"""

import uuid
from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.audit import append_audit
from shared.kit.auth import DECIDING_RANK, Caller, current_officer, require_role
from shared.kit.deps import db
from shared.kit.lifecycle_models import Delegation
from shared.models import Officer

router = APIRouter(prefix="/delegations", tags=["delegations"])
LENDING_ROLES = tuple(DECIDING_RANK)
Status = Literal["scheduled", "active", "ended", "revoked"]


class DelegationIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    to_officer_id: str = Field(description="The colleague who will act in your role")
    starts_on: date = Field(alias="from", description="First day of the delegation (inclusive)")
    ends_on: date = Field(alias="to", description="Last day of the delegation (inclusive)")
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


def delegation_status(delegation: Delegation, today: date) -> Status:
    if delegation.revoked_at is not None:
        return "revoked"
    if today < delegation.starts_on:
        return "scheduled"
    return "active" if today <= delegation.ends_on else "ended"


def _out(delegation: Delegation, today: date) -> DelegationOut:
    return DelegationOut(**delegation.model_dump(), status=delegation_status(delegation, today))


async def create_delegation(
    session: AsyncSession,
    *,
    caller: Caller,
    to_officer_id: str,
    starts_on: date,
    ends_on: date,
    reason: str,
    today: date,
) -> Delegation:
    """Lend the caller's own deciding role; every refusal says exactly which rule it broke."""
    require_role(caller, *LENDING_ROLES)
    if caller.on_behalf_of:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"you act as '{caller.role}' on behalf of {caller.on_behalf_of}: a lent role cannot be lent again",
        )
    if ends_on < starts_on:
        raise HTTPException(422, f"the period ends (to={ends_on}) before it starts (from={starts_on})")
    if ends_on < today:
        raise HTTPException(
            422, f"the period ends on {ends_on}, before today ({today}): a delegation cannot cover only past days"
        )
    if to_officer_id == caller.officer_id:
        raise HTTPException(422, f"you cannot delegate to yourself ({caller.officer_id})")
    delegate = await session.get(Officer, to_officer_id)
    if delegate is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no officer '{to_officer_id}'")
    if delegate.agency_code != caller.agency_code:
        raise HTTPException(
            422,
            f"officer {to_officer_id} belongs to {delegate.agency_code}, not "
            f"{caller.agency_code}: a delegation stays within one agency",
        )
    if not delegate.active:
        raise HTTPException(422, f"officer {to_officer_id} is deactivated: delegate to an active officer")
    clash = (
        await session.exec(
            select(Delegation)
            .where(
                Delegation.from_officer_id == caller.officer_id,
                Delegation.revoked_at.is_(None),  # type: ignore[union-attr]
                Delegation.starts_on <= ends_on,
                Delegation.ends_on >= starts_on,
            )
            .order_by(Delegation.starts_on)
        )
    ).first()  # type: ignore[arg-type]
    if clash is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            (
                f"you already delegate to {clash.to_officer_id} from {clash.starts_on} to {clash.ends_on} "
                f"(delegation {clash.id}), which overlaps {starts_on}..{ends_on}: revoke it or choose other dates"
            ),
        )
    now = datetime.now(UTC)
    delegation = Delegation(
        id=str(uuid.uuid4()),
        agency_code=caller.agency_code,
        from_officer_id=caller.officer_id,
        to_officer_id=to_officer_id,
        role=caller.role,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        created_at=now,
    )
    session.add(delegation)
    await append_audit(
        session,
        idempotency_key=f"delegation.created:{delegation.id}",
        at=now,
        agency_code=caller.agency_code,
        actor=caller.officer_id,
        action="delegation.created",
        outcome=delegation_status(delegation, today),
        reason=reason,
        details={
            "delegation_id": delegation.id,
            "to_officer_id": to_officer_id,
            "role": caller.role,
            "from": starts_on.isoformat(),
            "to": ends_on.isoformat(),
        },
    )
    return delegation


async def revoke_delegation(
    session: AsyncSession, *, caller: Caller, delegation_id: str, reason: str | None, today: date
) -> Delegation:
    """End a delegation early: its lender, or an admin of the agency in their own right, may."""
    delegation = await session.get(Delegation, delegation_id)
    if delegation is None or delegation.agency_code != caller.agency_code:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no delegation {delegation_id} at {caller.agency_code}")
    is_admin = caller.role == "admin" and caller.on_behalf_of is None
    if caller.officer_id != delegation.from_officer_id and not is_admin:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"only {delegation.from_officer_id}, who made delegation "
            f"{delegation_id}, or an admin of {caller.agency_code} may revoke it",
        )
    if caller.retired:
        raise HTTPException(status.HTTP_403_FORBIDDEN, caller.retired)
    if delegation.revoked_at is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"delegation {delegation_id} was already revoked "
            f"at {delegation.revoked_at.isoformat()} by {delegation.revoked_by}",
        )
    if delegation.ends_on < today:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"delegation {delegation_id} ended on {delegation.ends_on}: there is nothing left to revoke",
        )
    now = datetime.now(UTC)
    delegation.revoked_at, delegation.revoked_by, delegation.revoke_reason = now, caller.officer_id, reason
    session.add(delegation)
    await append_audit(
        session,
        idempotency_key=f"delegation.revoked:{delegation.id}",
        at=now,
        agency_code=caller.agency_code,
        actor=caller.officer_id,
        action="delegation.revoked",
        outcome="revoked",
        reason=reason,
        details={
            "delegation_id": delegation.id,
            "from_officer_id": delegation.from_officer_id,
            "to_officer_id": delegation.to_officer_id,
            "role": delegation.role,
        },
    )
    return delegation


async def substitute_for(
    session: AsyncSession, agency_code: str, role: str, on: date, *, exclude: Collection[str] = ()
) -> str | None:
    """Who can act in `role` at `agency_code` on `on` when its holder is late: the officer holding it by
    delegation that day, else an active officer with that role, else an active admin (each time the
    earliest delegation, then the smallest officer id, so the choice is deterministic and replays the same).
    `exclude` lets a caller that knows who is late skip them. None when the agency has nobody.
    """
    officers = {
        o.id: o
        for o in (await session.exec(select(Officer).where(Officer.agency_code == agency_code, Officer.active))).all()
    }
    delegations = (
        await session.exec(
            select(Delegation)
            .where(
                Delegation.agency_code == agency_code,
                Delegation.role == role,
                Delegation.starts_on <= on,
                Delegation.ends_on >= on,
                Delegation.revoked_at.is_(None),  # type: ignore[union-attr]
            )
            .order_by(Delegation.starts_on, Delegation.created_at, Delegation.id)
        )
    ).all()  # type: ignore[arg-type]
    for d in delegations:
        lender = officers.get(d.from_officer_id)
        lent_by_holder = lender is not None and lender.role == role
        if lent_by_holder and d.to_officer_id in officers and d.to_officer_id not in exclude:
            return d.to_officer_id
    for wanted in (role, "admin"):
        for officer_id in sorted(officers):
            if officers[officer_id].role == wanted and officer_id not in exclude:
                return officer_id
    return None


def _today(request: Request) -> date:
    return request.app.state.kit.settings.today()


@router.post(
    "",
    status_code=201,
    response_model=DelegationOut,
    response_model_by_alias=True,
    summary="Lend your deciding role (chair/admin) to a colleague of your agency for a period",
)
async def post_delegation(
    body: DelegationIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> DelegationOut:
    today = _today(request)
    delegation = await create_delegation(session, caller=caller, today=today, **body.model_dump())
    return _out(delegation, today)


@router.get(
    "",
    response_model=list[DelegationOut],
    response_model_by_alias=True,
    summary="The delegations of the caller's agency: scheduled, active, ended and revoked",
)
async def list_delegations(
    request: Request, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> list[DelegationOut]:
    rows = await session.exec(
        select(Delegation)
        .where(Delegation.agency_code == caller.agency_code)
        .order_by(Delegation.starts_on.desc(), Delegation.created_at.desc())
    )  # type: ignore[attr-defined]
    return [_out(d, _today(request)) for d in rows.all()]


@router.get(
    "/me",
    response_model=EffectiveRoleOut,
    summary="The role the caller acts with today, and on whose behalf when it is lent",
)
async def my_effective_role(
    request: Request, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> EffectiveRoleOut:
    officer = await session.get(Officer, caller.officer_id)
    return EffectiveRoleOut(
        officer_id=caller.officer_id,
        agency_code=caller.agency_code,
        own_role=officer.role if officer else caller.role,
        role=caller.role,
        on_behalf_of=caller.on_behalf_of,
        on=_today(request),
    )


@router.post(
    "/{delegation_id}/revoke",
    response_model=DelegationOut,
    response_model_by_alias=True,
    summary="End a delegation before its last day (its lender or an admin of the agency)",
)
async def post_revoke(
    delegation_id: str,
    request: Request,
    body: RevokeIn | None = None,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> DelegationOut:
    today = _today(request)
    delegation = await revoke_delegation(
        session, caller=caller, delegation_id=delegation_id, reason=body.reason if body else None, today=today
    )
    return _out(delegation, today)
