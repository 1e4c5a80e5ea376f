"""Routes that change a conferred award (Law Art. 93) and show its changes."""

from dataclasses import asdict

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db, settings
from services.kit.errors import NotFound
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller
from services.kit.nominations.service import history
from services.kit.outcomes.schemas import AwardChangesOut, ChangeIn, ChangeOut, RevokeIn
from services.kit.outcomes.service import (
    Change,
    change_award,
    changes_of,
    known_conferral,
    presidential_conferral,
    revocable_conferral,
    standing,
)
from shared.platform.settings import ServiceSettings

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
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
):
    conferral = await revocable_conferral(session, caller, nomination_id, config.today())
    row = await change_award(
        session, caller=caller, conferral=conferral, kind="revoked", today=config.today(), **body.model_dump()
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
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
):
    return await _presidential_change("stripped", nomination_id, body, caller, session, config)


@router.post(
    "/awards/{nomination_id}/restore",
    status_code=201,
    response_model=ChangeOut,
    summary="Restore a stripped state honorary title (phục hồi): the President's office only",
)
async def restore(
    nomination_id: str,
    body: ChangeIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
):
    return await _presidential_change("restored", nomination_id, body, caller, session, config)


async def _presidential_change(
    kind: Change, nomination_id: str, body: ChangeIn, caller: Caller, session: AsyncSession, config: ServiceSettings
) -> ChangeOut:
    conferral = await presidential_conferral(session, caller, nomination_id)
    row = await change_award(
        session, caller=caller, conferral=conferral, kind=kind, today=config.today(), **body.model_dump()
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
