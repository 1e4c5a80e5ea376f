"""Councils (Hội đồng TĐKT) and their secret ballots over HTTP. Routes stay thin."""

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.councils.meetings import describe_meeting, hold_meeting
from services.kit.councils.paper import cast_paper, count_rounds
from services.kit.councils.schemas import (
    BallotPaperIn,
    ChairDecisionIn,
    CouncilIn,
    CountIn,
    LeaveIn,
    MeetingIn,
    MemberIn,
    ReceiptIn,
    RoundIn,
    VoteIn,
)
from services.kit.councils.service import (
    appoint_member,
    council_out,
    councils_of,
    end_membership,
    member_out,
    roster_on,
    set_up_council,
)
from services.kit.councils.voting import (
    cast_vote,
    check_receipt,
    count_round,
    decide_as_chair,
    describe_result,
    open_last_round,
)
from services.kit.deps import db, settings
from services.kit.errors import Invalid
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from shared.platform.settings import ServiceSettings
from shared.rules.days import Day

router = APIRouter(tags=["councils"])


@router.post("/councils", status_code=201, summary="Set up the caller's agency's council (chair, admin)")
async def create_council(
    body: CouncilIn, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, Any]:
    require(caller, "manage_council")
    council = await set_up_council(
        session, caller=caller, name=body.name, quorum=body.quorum, default_threshold=body.default_threshold
    )
    return council_out(council)


@router.get("/councils", summary="The caller's agency's councils")
async def list_councils(
    caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> list[dict[str, Any]]:
    return [council_out(council) for council in await councils_of(session, caller.agency_code)]


@router.get("/councils/{council_id}", summary="A council and its roster on a date (default: today)")
async def get_council(
    council_id: str,
    on: Day | None = None,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    return await roster_on(session, caller=caller, council_id=council_id, day=on or config.today())


@router.post(
    "/councils/{council_id}/members",
    status_code=201,
    summary="Appoint an officer of the agency for a period (chair, admin)",
)
async def add_member(
    council_id: str,
    body: MemberIn,
    config: ServiceSettings = Depends(settings),
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    require(caller, "manage_council")
    member = await appoint_member(
        session,
        caller=caller,
        council_id=council_id,
        officer_id=body.officer_id,
        position=body.position,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        today=config.today(),
    )
    return member_out(member)


@router.post(
    "/councils/{council_id}/members/{officer_id}/leave",
    summary="An officer leaves the council from a date (chair, admin)",
)
async def leave(
    council_id: str,
    officer_id: str,
    body: LeaveIn,
    config: ServiceSettings = Depends(settings),
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    require(caller, "manage_council")
    member = await end_membership(
        session, caller=caller, council_id=council_id, officer_id=officer_id, on=body.on, today=config.today()
    )
    return member_out(member)


@router.post(
    "/councils/{council_id}/meetings",
    status_code=201,
    summary="Record a meeting: its date, agenda and attendance (chair, admin, council secretary)",
)
async def create_meeting(
    council_id: str,
    body: MeetingIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    return await hold_meeting(
        session,
        caller=caller,
        council_id=council_id,
        held_on=body.held_on,
        present=body.present,
        items=body.items,
        level=config.tier.value,
        today=config.today(),
    )


@router.get("/meetings/{meeting_id}", summary="A meeting, its attendance and where each ballot stands")
async def get_meeting(
    meeting_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, Any]:
    return await describe_meeting(session, caller=caller, meeting_id=meeting_id)


@router.post(
    "/meetings/{meeting_id}/items/{nomination_id}/votes",
    status_code=201,
    summary="Cast your own secret vote (council members on the roster on the meeting date)",
)
async def vote(
    meeting_id: str,
    nomination_id: str,
    body: VoteIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    receipt, item = await cast_vote(
        session,
        caller=caller,
        meeting_id=meeting_id,
        nomination_id=nomination_id,
        yes=body.vote == "yes",
        written=body.written,
        today=config.today(),
    )
    return {
        "receipt": receipt,
        "round": item.round,
        "written": body.written,
        "note": "Keep this receipt to check that your ballot was counted (POST /meetings/{id}/receipts/verify); "
        "it does not show your choice, and no one else is given it.",
    }


@router.post(
    "/meetings/{meeting_id}/ballots",
    status_code=201,
    summary="Cast your own secret votes on several items of the meeting at once (one ballot paper): all are "
    "recorded, or none and the answer names the item refused",
)
async def vote_paper(
    meeting_id: str,
    body: BallotPaperIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    votes = [(v.nomination_id, v.vote == "yes") for v in body.votes]
    once(n for n, _ in votes)
    receipts = await cast_paper(
        session, caller=caller, meeting_id=meeting_id, votes=votes, written=body.written, today=config.today()
    )
    return {
        "receipts": receipts,
        "written": body.written,
        "note": "Keep each receipt to check that your ballot was counted (POST /meetings/{id}/receipts/verify); "
        "it does not show your choice, and no one else is given it.",
    }


@router.post(
    "/meetings/{meeting_id}/close-rounds",
    summary="Count the open round of several items at once (chair, admin, council chair or secretary): all "
    "counted, or none and the answer names the item refused",
)
async def close_rounds(
    meeting_id: str,
    body: CountIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    once(body.nomination_ids)
    return {
        "items": await count_rounds(session, caller=caller, meeting_id=meeting_id, nomination_ids=body.nomination_ids)
    }


def once(nomination_ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for nomination_id in nomination_ids:
        if nomination_id in seen:
            raise Invalid(f"item {nomination_id} is on the paper twice; each item once", "ItemTwice")
        seen.add(nomination_id)


@router.post(
    "/meetings/{meeting_id}/items/{nomination_id}/close-round",
    summary="Count the open round (chair, admin, council chair or secretary)",
)
async def close_round(
    meeting_id: str,
    nomination_id: str,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    return await count_round(session, caller=caller, meeting_id=meeting_id, nomination_id=nomination_id)


@router.post(
    "/meetings/{meeting_id}/items/{nomination_id}/rounds",
    status_code=201,
    summary="Open the second and last round after a failed first one (chair, admin, chair or secretary)",
)
async def open_round(
    meeting_id: str,
    nomination_id: str,
    body: RoundIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    return await open_last_round(
        session, caller=caller, meeting_id=meeting_id, nomination_id=nomination_id, present=body.present
    )


@router.post(
    "/meetings/{meeting_id}/items/{nomination_id}/chair-decision",
    summary="The chair decides after the last failed round (agency chair or council chair)",
)
async def chair_decision(
    meeting_id: str,
    nomination_id: str,
    body: ChairDecisionIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    return await decide_as_chair(
        session,
        caller=caller,
        meeting_id=meeting_id,
        nomination_id=nomination_id,
        passed=body.passed,
        reason=body.reason,
    )


@router.get("/meetings/{meeting_id}/items/{nomination_id}/result", summary="Counts per round; never who voted how")
async def result(
    meeting_id: str,
    nomination_id: str,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    return await describe_result(session, caller=caller, meeting_id=meeting_id, nomination_id=nomination_id)


@router.post("/meetings/{meeting_id}/receipts/verify", summary="Check that the ballot with this receipt was counted")
async def verify_receipt(
    meeting_id: str,
    body: ReceiptIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    return await check_receipt(session, caller=caller, meeting_id=meeting_id, receipt=body.receipt)
