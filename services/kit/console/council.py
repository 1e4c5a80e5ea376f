"""The council's console pages: a meeting called on a nomination pending here, each member's
secret vote from their own session (in the meeting, or in writing before it when absent; the
receipt is shown once, to them alone), the count, the second and last round with who is present
then, the chair's decision after it, and the minutes as a printable page. The rules are the
councils package's; these pages only ask."""

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.console.nomination import show_nomination
from services.kit.console.rendering import after_action, render, said
from services.kit.console.session import checked_form, console_officer
from services.kit.councils.ballots import closed_rounds, public_counts, tally_of
from services.kit.councils.meetings import hold_meeting, meeting_and_council, meeting_out
from services.kit.councils.minutes import minutes_text
from services.kit.councils.models import BallotRound, BallotVoter, Council, CouncilItem, CouncilMeeting
from services.kit.councils.schemas import ItemIn
from services.kit.councils.service import check_may_run, council_roster, councils_of
from services.kit.councils.voting import cast_vote, count_round, decide_as_chair, open_last_round
from services.kit.errors import DomainError, Forbidden, Invalid, NotFound
from services.kit.identity.service import Caller
from services.kit.nominations.service import pending_review
from shared.rules.ballot import Roster

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
                raise Invalid(
                    "the agency has no council yet: set it up on the council page (/console/council)",
                    vi="cơ quan chưa lập Hội đồng TĐKT: lập Hội đồng và bổ nhiệm thành viên ở trang Hội đồng",
                )
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
                today=config.today(),
            )
    except DomainError as refusal:
        return await show_nomination(
            request, caller, nomination_id, status=refusal.status, error=said(request, refusal)
        )
    return after_action(request, f"/console/meetings/{meeting['id']}")


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
async def meeting_page(request: Request, meeting_id: str, caller: Caller = Depends(console_officer)) -> Response:
    return await show_meeting(request, caller, meeting_id)


def may_run(caller: Caller, council: Council, roster: Roster, on: date, **who: tuple[str, ...]) -> bool:
    try:
        check_may_run(caller, council, roster, on, **who)
    except Forbidden:
        return False
    return True


async def show_meeting(
    request: Request, caller: Caller, meeting_id: str, *, status: int = 200, error: str | None = None,
    receipt: str | None = None,
) -> Response:  # fmt: skip
    """The meeting as the caller may act on it: each item's open round with who sits in it, the
    counts of its closed rounds, and only the forms the caller's place on the council allows."""
    async with request.app.state.kit.sessions() as session:
        found, council = await meeting_and_council(session, meeting_id, caller)
        meeting = await meeting_out(session, found, council)
        roster = await council_roster(session, council)
        items = (await session.exec(select(CouncilItem).where(CouncilItem.meeting_id == meeting_id))).all()
        sitting, rounds = {}, {}
        for item in items:
            current = await round_row_of(session, item)
            sitting[item.nomination_id] = current.present if current else []
            rounds[item.nomination_id] = [public_counts(r.tally) for r in await closed_rounds(session, item) if r.tally]
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
    members = roster.members_on(found.held_on)
    today = request.app.state.kit.settings.today()
    return render(
        request, "meeting.html", status=status, caller=caller, meeting=meeting, voted=voted, sitting=sitting,
        rounds=rounds, members=members, on_roster=any(m.member_id == caller.officer_id for m in members),
        in_person_day=today == found.held_on, written_open=today <= found.held_on,
        runs=may_run(caller, council, roster, found.held_on),
        decides=may_run(caller, council, roster, found.held_on, roles=("chair",), positions=("chair",)),
        error=error, receipt=receipt,
    )  # fmt: skip


async def round_row_of(session: AsyncSession, item: CouncilItem) -> BallotRound | None:
    query = select(BallotRound).where(BallotRound.item_id == item.id, BallotRound.round == item.round)
    return (await session.exec(query)).first()


@router.post("/meetings/{meeting_id}/items/{nomination_id}/vote")
async def vote(
    request: Request, meeting_id: str, nomination_id: str, caller: Caller = Depends(console_officer)
) -> Response:
    form = await checked_form(request)
    choice = str(form.get("vote", ""))
    try:
        if choice not in ("yes", "no"):
            raise Invalid("choose yes or no", vi="chọn Đồng ý hoặc Không đồng ý")
        async with request.app.state.kit.sessions() as session, session.begin():
            receipt, _ = await cast_vote(
                session,
                caller=caller,
                meeting_id=meeting_id,
                nomination_id=nomination_id,
                yes=choice == "yes",
                written=form.get("written") == "1",
                today=request.app.state.kit.settings.today(),
            )
    except DomainError as refusal:
        return await show_meeting(request, caller, meeting_id, status=refusal.status, error=said(request, refusal))
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
        return await show_meeting(request, caller, meeting_id, status=refusal.status, error=said(request, refusal))
    return after_action(request, f"/console/meetings/{meeting_id}")


@router.post("/meetings/{meeting_id}/items/{nomination_id}/round")
async def second_round(
    request: Request, meeting_id: str, nomination_id: str, caller: Caller = Depends(console_officer)
) -> Response:
    """The second and last round after a failed first, with the members present now (ticked)."""
    form = await checked_form(request)
    try:
        async with request.app.state.kit.sessions() as session, session.begin():
            await open_last_round(
                session, caller=caller, meeting_id=meeting_id, nomination_id=nomination_id,
                present=[str(p) for p in form.getlist("present")],
            )  # fmt: skip
    except DomainError as refusal:
        return await show_meeting(request, caller, meeting_id, status=refusal.status, error=said(request, refusal))
    return after_action(request, f"/console/meetings/{meeting_id}")


@router.post("/meetings/{meeting_id}/items/{nomination_id}/chair-decision")
async def chair_decision(
    request: Request, meeting_id: str, nomination_id: str, caller: Caller = Depends(console_officer)
) -> Response:
    """After the last failed round the chair decides, and says why (the reason goes in the minutes)."""
    form = await checked_form(request)
    choice, reason = str(form.get("passed", "")), str(form.get("reason", "")).strip()
    try:
        if choice not in ("yes", "no") or not reason:
            raise Invalid(
                "choose whether to propose the nominee, and give the reason for the minutes",
                vi="chọn đề nghị hay không đề nghị khen thưởng, và ghi lý do để đưa vào biên bản",
            )
        async with request.app.state.kit.sessions() as session, session.begin():
            await decide_as_chair(
                session, caller=caller, meeting_id=meeting_id, nomination_id=nomination_id,
                passed=choice == "yes", reason=reason[:2000],
            )  # fmt: skip
    except DomainError as refusal:
        return await show_meeting(request, caller, meeting_id, status=refusal.status, error=said(request, refusal))
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
