"""Delegations (ủy quyền) over HTTP."""

from datetime import date

from fastapi import APIRouter, Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.delegations.schemas import DelegationIn, DelegationOut, EffectiveRoleOut, RevokeIn
from services.kit.delegations.service import create_delegation, delegation_out, delegations_of, revoke_delegation
from services.kit.deps import db
from services.kit.identity.auth import current_officer
from services.kit.identity.models import Officer
from services.kit.identity.service import Caller

router = APIRouter(prefix="/delegations", tags=["delegations"])


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
    return delegation_out(delegation, today)


@router.get(
    "",
    response_model=list[DelegationOut],
    response_model_by_alias=True,
    summary="The delegations of the caller's agency: scheduled, active, ended and revoked",
)
async def list_delegations(
    request: Request, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> list[DelegationOut]:
    return [delegation_out(d, _today(request)) for d in await delegations_of(session, caller.agency_code)]


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
    return delegation_out(delegation, today)
