"""Routes that change a conferred award (Law Art. 93) and show its changes."""

from dataclasses import asdict

from fastapi import APIRouter, Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db
from services.kit.errors import Forbidden, NotFound
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from services.kit.nominations.service import history
from services.kit.outcomes.schemas import AwardChangesOut, ChangeIn, ChangeOut, RevokeIn
from services.kit.outcomes.service import (
    ART_93,
    change_award,
    changes_of,
    is_successor_of,
    known_conferral,
    presidential_conferral,
    require_conferral_here,
    standing,
)

router = APIRouter(tags=["outcomes"])


@router.post(
    "/awards/{nomination_id}/revoke",
    status_code=201,
    response_model=ChangeOut,
    summary="Revoke a conferral (hủy bỏ quyết định khen thưởng, Law Art. 93): the conferring agency only",
)
async def revoke(
    nomination_id: str,
    body: RevokeIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    require(caller, "decide")
    conferral = await require_conferral_here(session, nomination_id)
    today = request.app.state.kit.settings.today()
    if conferral.agency_code != caller.agency_code and not await is_successor_of(
        session, conferral.agency_code, caller.agency_code, today
    ):
        raise Forbidden(
            f"the award of nomination {nomination_id} ({conferral.award_code}) was conferred by "
            f"{conferral.agency_code} (decision {conferral.decision_no}); only its chair or admin may "
            f"revoke it, as whoever has authority to award has authority to cancel ({ART_93})",
        )
    row = await change_award(
        session, caller=caller, conferral=conferral, kind="revoked", today=today, **body.model_dump()
    )
    return ChangeOut(**row.model_dump())


@router.post(
    "/awards/{nomination_id}/strip",
    status_code=201,
    response_model=ChangeOut,
    summary="Strip a state honorary title (tước danh hiệu vinh dự nhà nước): the President's office only",
)
async def strip(
    nomination_id: str,
    body: ChangeIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    conferral = await presidential_conferral(session, caller, nomination_id)
    row = await change_award(
        session,
        caller=caller,
        conferral=conferral,
        kind="stripped",
        today=request.app.state.kit.settings.today(),
        **body.model_dump(),
    )
    return ChangeOut(**row.model_dump())


@router.post(
    "/awards/{nomination_id}/restore",
    status_code=201,
    response_model=ChangeOut,
    summary="Restore a stripped state honorary title (phục hồi): the President's office only",
)
async def restore(
    nomination_id: str,
    body: ChangeIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    conferral = await presidential_conferral(session, caller, nomination_id)
    row = await change_award(
        session,
        caller=caller,
        conferral=conferral,
        kind="restored",
        today=request.app.state.kit.settings.today(),
        **body.model_dump(),
    )
    return ChangeOut(**row.model_dump())


@router.get(
    "/awards/{nomination_id}/changes",
    response_model=AwardChangesOut,
    summary="A conferral and its later revocation, stripping or restoration, for agencies on its route",
)
async def award_changes(
    nomination_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    await history(session, caller=caller, nomination_id=nomination_id)  # 404 unless on its route
    conferral = await known_conferral(session, nomination_id)
    changes = await changes_of(session, nomination_id)
    if conferral is None and not changes:
        raise NotFound(f"nomination {nomination_id} has no conferred award known here")
    return AwardChangesOut(
        nomination_id=nomination_id,
        status=standing(changes),
        conferral=asdict(conferral) if conferral else None,
        changes=[ChangeOut(**c.model_dump()) for c in changes],
    )
