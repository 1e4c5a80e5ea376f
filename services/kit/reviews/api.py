"""A reviewing level's routes: its inbox, decisions, holds, where a nomination stands."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db, end_transaction, settings, workflows
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from services.kit.nominations.service import history, inbox
from services.kit.reviews.schemas import DecisionIn, HoldIn, ReviewOut
from services.kit.reviews.service import prepare_decision
from services.kit.workflow_client import NominationClient
from shared.contracts.nomination import (
    DECIDE,
    HOLD,
    RELEASE,
    DecisionResult,
    HoldInput,
    NominationStatus,
    Update,
)
from shared.platform.settings import ServiceSettings

router = APIRouter(tags=["reviews"])

# An inbox answers a page: an agency may hold thousands of items in an annual round.
DEFAULT_PAGE, MAX_PAGE = 200, 1000


@router.get(
    "/inbox",
    response_model=list[ReviewOut],
    summary="Nominations pending at the caller's agency, oldest first, a page at a time "
    "(`X-Total-Count` says how many there are in all)",
)
async def my_inbox(
    response: Response,
    state: str | None = "pending",
    batch_no: Annotated[str | None, Query(max_length=100, description="only the items of this tờ trình")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    # Bounded: a database integer holds it (an offset past 2^63 was a 500 on SQLite).
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    rows, total = await inbox(
        session, agency_code=caller.agency_code, state=state, batch_no=batch_no, limit=limit, offset=offset
    )
    response.headers["X-Total-Count"] = str(total)
    return [ReviewOut(**r.model_dump()) for r in rows]


@router.post(
    "/reviews/{nomination_id}/decision",
    summary="Decide on a nomination pending at the caller's agency: forward, return, refuse or confer",
)
async def decide(
    nomination_id: str,
    body: DecisionIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    wf: NominationClient = Depends(workflows),
    config: ServiceSettings = Depends(settings),
) -> DecisionResult:
    require(caller, "decide")
    decision = await prepare_decision(
        session, caller=caller, nomination_id=nomination_id, tier=config.tier, today=config.today(), **body.model_dump()
    )
    await end_transaction(session)
    return await wf.update(nomination_id, DECIDE, decision)


@router.post(
    "/nominations/{nomination_id}/hold",
    summary="Put a nomination on hold (complaint, investigation): its deadline clock stops",
)
async def hold(
    nomination_id: str,
    body: HoldIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    wf: NominationClient = Depends(workflows),
) -> NominationStatus:
    return await _hold_or_release(HOLD, nomination_id, body, caller, session, wf)


@router.post("/nominations/{nomination_id}/release", summary="Lift a hold: the step's clock restarts from today")
async def release(
    nomination_id: str,
    body: HoldIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    wf: NominationClient = Depends(workflows),
) -> NominationStatus:
    return await _hold_or_release(RELEASE, nomination_id, body, caller, session, wf)


async def _hold_or_release(
    update: Update[HoldInput, NominationStatus],
    nomination_id: str,
    body: HoldIn,
    caller: Caller,
    session: AsyncSession,
    wf: NominationClient,
) -> NominationStatus:
    require(caller, "decide")
    await history(session, caller=caller, nomination_id=nomination_id)  # on its route, or 404
    await end_transaction(session)
    return await wf.update(
        nomination_id, update, HoldInput(caller.agency_code, caller.officer_id, body.reason, body.source)
    )


@router.get(
    "/nominations/{nomination_id}/status",
    summary="Where a nomination is now (workflow query), for agencies on its route",
)
async def nomination_status(
    nomination_id: str,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    wf: NominationClient = Depends(workflows),
) -> NominationStatus:
    await history(session, caller=caller, nomination_id=nomination_id)
    await end_transaction(session)  # the query may wait on the worker: hold no lock meanwhile
    return await wf.status(nomination_id)
