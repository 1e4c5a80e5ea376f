"""The council's console pages: a meeting called on a nomination pending here, each member's
secret vote from their own session (the receipt is shown once, to them alone), the count, and
the minutes as a printable page. The rules are the councils package's; these pages only ask."""

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from services.kit.console.nomination import show_nomination
from services.kit.console.rendering import after_action, render
from services.kit.console.session import checked_form, console_officer
from services.kit.councils.ballots import closed_rounds, tally_of
from services.kit.councils.meetings import describe_meeting, hold_meeting, meeting_and_council
from services.kit.councils.minutes import minutes_text
from services.kit.councils.models import BallotVoter, CouncilItem, CouncilMeeting
from services.kit.councils.schemas import ItemIn
from services.kit.councils.service import councils_of
from services.kit.councils.voting import cast_vote, count_round
from services.kit.errors import DomainError, Invalid, NotFound
from services.kit.identity.service import Caller
from services.kit.nominations.service import pending_review

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/meetings", response_class=HTMLResponse)
async def meetings(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    async with request.app.state.kit.sessions() as session:
        rows = (
            await session.exec(
                select(CouncilMeeting, CouncilItem)
                .join(CouncilItem, col(CouncilItem.meeting_id) == col(CouncilMeeting.id))
                .where(CouncilMeeting.agency_code == caller.agency_code)
                .order_by(col(CouncilMeeting.held_on).desc(), col(CouncilItem.id))
            )
        ).all()
    return render(request, "meetings.html", caller=caller, rows=rows)


@router.post("/nominations/{nomination_id}/meeting")
async def call_meeting(request: Request, nomination_id: str, caller: Caller = Depends(console_officer)) -> Response:
    """The agency's council meets on a nomination pending here, with the members present."""
    form = await checked_form(request)
    config = request.app.state.kit.settings
    try:
        held_on = date.fromisoformat(str(form.get("held_on", "")))
    except ValueError:
        return await show_nomination(request, caller, nomination_id, status=422, error="ngày họp không hợp lệ")
    try:
        async with request.app.state.kit.sessions() as session, session.begin():
            review = await pending_review(session, caller=caller, nomination_id=nomination_id)
            councils = await councils_of(session, caller.agency_code)
            if not councils:
                raise Invalid("cơ quan chưa lập Hội đồng TĐKT (set up the council first: POST /councils)")
            meeting = await hold_meeting(
                session,
                caller=caller,
                council_id=councils[0].id,
                held_on=held_on,
                present=[str(p) for p in form.getlist("present")],
                items=[
                    ItemIn(nomination_id=nomination_id, award_code=review.award_code, nominee_name=review.nominee_name)
                ],
                level=config.tier.value,
            )
    except DomainError as refusal:
        return await show_nomination(request, caller, nomination_id, status=refusal.status, error=str(refusal))
    return after_action(request, f"/console/meetings/{meeting['id']}")


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
async def meeting_page(request: Request, meeting_id: str, caller: Caller = Depends(console_officer)) -> Response:
    return await show_meeting(request, caller, meeting_id)


async def show_meeting(
    request: Request, caller: Caller, meeting_id: str, *, status: int = 200, error: str | None = None,
    receipt: str | None = None,
) -> Response:  # fmt: skip
    async with request.app.state.kit.sessions() as session:
        meeting = await describe_meeting(session, caller=caller, meeting_id=meeting_id)
        voted = set(
            (
                await session.exec(
                    select(CouncilItem.nomination_id)
                    .join(BallotVoter, col(BallotVoter.item_id) == col(CouncilItem.id))
                    .where(
                        CouncilItem.meeting_id == meeting_id,
                        BallotVoter.officer_id == caller.officer_id,
                        col(BallotVoter.round) == col(CouncilItem.round),
                    )
                )
            ).all()
        )
    sitting = caller.officer_id in meeting["present"]
    return render(
        request, "meeting.html", status=status, caller=caller, meeting=meeting, voted=voted, sitting=sitting,
        error=error, receipt=receipt,
    )  # fmt: skip


@router.post("/meetings/{meeting_id}/items/{nomination_id}/vote")
async def vote(
    request: Request, meeting_id: str, nomination_id: str, caller: Caller = Depends(console_officer)
) -> Response:
    form = await checked_form(request)
    choice = str(form.get("vote", ""))
    try:
        if choice not in ("yes", "no"):
            raise Invalid("chọn Đồng ý hoặc Không đồng ý (choose yes or no)")
        async with request.app.state.kit.sessions() as session, session.begin():
            receipt, _ = await cast_vote(
                session,
                caller=caller,
                meeting_id=meeting_id,
                nomination_id=nomination_id,
                yes=choice == "yes",
                written=False,
                today=request.app.state.kit.settings.today(),
            )
    except DomainError as refusal:
        return await show_meeting(request, caller, meeting_id, status=refusal.status, error=str(refusal))
    # The receipt is shown once, on this answer: never in an address, never to anyone else.
    return await show_meeting(request, caller, meeting_id, receipt=receipt)


@router.post("/meetings/{meeting_id}/items/{nomination_id}/close")
async def close(
    request: Request, meeting_id: str, nomination_id: str, caller: Caller = Depends(console_officer)
) -> Response:
    await checked_form(request)
    try:
        async with request.app.state.kit.sessions() as session, session.begin():
            await count_round(session, caller=caller, meeting_id=meeting_id, nomination_id=nomination_id)
    except DomainError as refusal:
        return await show_meeting(request, caller, meeting_id, status=refusal.status, error=str(refusal))
    return after_action(request, f"/console/meetings/{meeting_id}")


@router.get("/meetings/{meeting_id}/items/{nomination_id}/minutes", response_class=HTMLResponse)
async def minutes(
    request: Request, meeting_id: str, nomination_id: str, caller: Caller = Depends(console_officer)
) -> Response:
    """The biên bản as a printable page: counts and receipt hashes only, no member next to a choice."""
    async with request.app.state.kit.sessions() as session:
        meeting, council = await meeting_and_council(session, meeting_id, caller)
        item = (
            await session.exec(
                select(CouncilItem).where(
                    CouncilItem.meeting_id == meeting_id, CouncilItem.nomination_id == nomination_id
                )
            )
        ).first()
        if item is None:
            raise NotFound(f"nomination {nomination_id} is not on the agenda of meeting {meeting_id}")
        rounds = [tally_of(r, council, meeting) for r in await closed_rounds(session, item)]
        text = await minutes_text(session, council, meeting, item, rounds)
    return render(request, "minutes.html", caller=caller, text=text, meeting_id=meeting_id)
