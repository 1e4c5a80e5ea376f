"""Tracking: the officer's timeline of a nomination, and the public one by code."""

from fastapi import APIRouter, Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import PUBLIC_ROUTE, db
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller
from services.kit.nominations.service import own_nomination
from services.kit.tracking.models import TrackingCode
from services.kit.tracking.schemas import PublicTrackingOut, TrackingOut
from services.kit.tracking.service import by_tracking_code, tracking_view

router = APIRouter(tags=["tracking"])


@router.get(
    "/nominations/{nomination_id}/tracking",
    response_model=TrackingOut,
    summary="Where one of the caller's agency's nominations is: state, deadline, returns, timeline",
)
async def nomination_tracking(
    nomination_id: str,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> TrackingOut:
    nomination = await own_nomination(session, caller=caller, nomination_id=nomination_id)
    code = await session.get(TrackingCode, nomination_id)
    view = await tracking_view(session, nomination, today=request.app.state.kit.settings.today(), public=False)
    return TrackingOut(
        **view, nomination_id=nomination.id, nominee_name=nomination.nominee_name, code=code.code if code else None
    )


@router.get(
    "/track/{code}",
    response_model=PublicTrackingOut,
    openapi_extra=PUBLIC_ROUTE,
    summary="For the nominee, WITHOUT login: a nomination's progress by its tracking code",
    description="The code is on the receipt the proposing agency gives the nominee. The view leaves out "
    "officer ids, internal notes and reminders. An unknown code answers 404.",
)
async def public_tracking(
    code: str, request: Request, session: AsyncSession = Depends(db, scope="function")
) -> PublicTrackingOut:
    issued, nomination = await by_tracking_code(session, code)
    view = await tracking_view(session, nomination, today=request.app.state.kit.settings.today(), public=True)
    return PublicTrackingOut(**view, code=issued.code)
