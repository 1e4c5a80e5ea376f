"""Councils (Hội đồng TĐKT) and their secret ballots over HTTP."""

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.councils.ballots import (
    agenda_item,
    check_voting,
    flushed_id,
    meeting_and_council,
    meeting_out,
    open_box,
    public_counts,
    receipt_digest,
    replayed_box,
    result_out,
    rewrite_box,
    round_row,
    stored_rule,
    stored_tally,
    tally_of,
)
from services.kit.councils.minutes import conclude
from services.kit.councils.models import (
    BallotRound,
    BallotVote,
    Council,
    CouncilItem,
    CouncilMeeting,
    CouncilMember,
)
from services.kit.councils.schemas import (
    ChairDecisionIn,
    CouncilIn,
    LeaveIn,
    MeetingIn,
    MemberIn,
    ReceiptIn,
    RoundIn,
    VoteIn,
)
from services.kit.councils.service import (
    ballot_rule_for,
    check_agenda_nomination,
    check_may_run,
    check_roster_change,
    council_out,
    member_out,
    members_of,
    membership_of,
    own_council,
    roster_of,
)
from services.kit.deps import db
from services.kit.errors import Conflict, Forbidden, Invalid
from services.kit.identity.auth import current_officer
from services.kit.identity.models import Officer
from services.kit.identity.service import Caller, require
from shared.platform.audit import append_audit
from shared.rules.ballot import (
    AlreadyVotedError,
    BallotError,
    Meeting,
    NotEligibleError,
    next_round,
)

router = APIRouter(tags=["councils"])


@router.post("/councils", status_code=201, summary="Set up the caller's agency's council (chair, admin)")
async def create_council(
    body: CouncilIn, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, Any]:
    require(caller, "manage_council")
    council = Council(
        id=str(uuid.uuid4()),
        agency_code=caller.agency_code,
        name=body.name,
        quorum=None if body.quorum is None else str(body.quorum),
        default_threshold=str(body.default_threshold),
        created_by=caller.officer_id,
        created_at=datetime.now(UTC),
    )
    session.add(council)
    return council_out(council)


@router.get("/councils", summary="The caller's agency's councils")
async def list_councils(
    caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> list[dict[str, Any]]:
    rows = await session.exec(select(Council).where(Council.agency_code == caller.agency_code).order_by(Council.name))
    return [council_out(council) for council in rows.all()]


@router.get("/councils/{council_id}", summary="A council and its roster on a date (default: today)")
async def get_council(
    council_id: str,
    request: Request,
    on: date | None = None,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    council = await own_council(session, council_id, caller)
    day = on or request.app.state.kit.settings.today()
    members = [m for m in await members_of(session, council_id) if membership_of(m).on(day)]
    return {
        **council_out(council),
        "on": day.isoformat(),
        "members_total": len(members),
        "members": [member_out(m) for m in sorted(members, key=lambda m: m.officer_id)],
    }


@router.post(
    "/councils/{council_id}/members",
    status_code=201,
    summary="Appoint an officer of the agency for a period (chair, admin)",
)
async def add_member(
    council_id: str,
    body: MemberIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    require(caller, "manage_council")
    council = await own_council(session, council_id, caller)
    officer = await session.get(Officer, body.officer_id)
    if officer is None or officer.agency_code != council.agency_code or not officer.active:
        raise Invalid(
            f"{body.officer_id} is not an active officer of {council.agency_code}; council members "
            "vote with their own officer tokens",
        )
    member = CouncilMember(
        council_id=council_id,
        officer_id=officer.id,
        name=officer.name,
        position=body.position,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
    )
    members = await members_of(session, council_id)
    await check_roster_change(session, council, members, before=None, after=member)
    session.add(member)
    await session.flush()
    return member_out(member)


@router.post(
    "/councils/{council_id}/members/{officer_id}/leave",
    summary="An officer leaves the council from a date (chair, admin)",
)
async def leave(
    council_id: str,
    officer_id: str,
    body: LeaveIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    require(caller, "manage_council")
    council = await own_council(session, council_id, caller)
    members = await members_of(session, council_id)
    current = [
        m
        for m in members
        if m.officer_id == officer_id and m.starts_on < body.on and (m.ends_on is None or m.ends_on >= body.on)
    ]
    if not current:
        raise Conflict(f"{officer_id} has no membership of this council that runs into {body.on}")
    member = current[0]
    after = CouncilMember(**{**member.model_dump(), "ends_on": body.on - timedelta(days=1)})
    await check_roster_change(session, council, members, before=member, after=after)
    member.ends_on = after.ends_on
    session.add(member)
    return member_out(member)


@router.post(
    "/councils/{council_id}/meetings",
    status_code=201,
    summary="Record a meeting: its date, agenda and attendance (chair, admin, council secretary)",
)
async def create_meeting(
    council_id: str,
    body: MeetingIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    council = await own_council(session, council_id, caller)
    roster = roster_of(council, await members_of(session, council_id))
    check_may_run(caller, council, roster, body.held_on)
    ids = [item.nomination_id for item in body.items]
    if len(set(ids)) != len(ids):
        raise Invalid("a nomination appears twice on the agenda")
    eligible = roster.size_on(body.held_on)
    if not eligible:
        raise Conflict(f"the council has no members on {body.held_on}; appoint them first")
    meeting = CouncilMeeting(
        id=str(uuid.uuid4()),
        council_id=council_id,
        agency_code=council.agency_code,
        held_on=body.held_on,
        present=sorted(set(body.present)),
        created_by=caller.officer_id,
        created_at=datetime.now(UTC),
    )
    session.add(meeting)
    items = []
    for entry in body.items:
        await check_agenda_nomination(session, council.agency_code, entry)
        rule = await ballot_rule_for(
            session,
            council,
            entry.award_code,
            body.held_on,
            eligible,
            default_level=request.app.state.kit.settings.tier.value,
        )
        box = open_box(roster, Meeting(council.agency_code, body.held_on, 1, frozenset(meeting.present)), rule)
        if not box.quorum_met:
            raise Conflict(
                f"{len(meeting.present)} of {eligible} members present; the quorum is {rule.quorum} "
                f"of total members, so the meeting cannot vote",
            )
        items.append(
            CouncilItem(
                meeting_id=meeting.id,
                nomination_id=entry.nomination_id,
                award_code=entry.award_code,
                nominee_name=entry.nominee_name,
                threshold=str(rule.threshold),
                quorum=str(rule.quorum),
                max_rounds=rule.max_rounds,
                after_last_round=rule.after_last_round,
                basis=list(rule.basis),
            )
        )
    session.add_all(items)
    await session.flush()
    for item in items:
        session.add(BallotRound(item_id=flushed_id(item), round=1, present=meeting.present))
        await append_audit(
            session,
            idempotency_key=f"council-meeting:{meeting.id}:{item.nomination_id}",
            at=meeting.created_at,
            agency_code=council.agency_code,
            actor=caller.officer_id,
            action="council.meeting_held",
            outcome="listed",
            nomination_id=item.nomination_id,
            details={
                "meeting_id": meeting.id,
                "council_id": council.id,
                "held_on": meeting.held_on.isoformat(),
                "present": len(meeting.present),
                "members_total": eligible,
                "threshold": item.threshold,
                "quorum": item.quorum,
            },
        )
    return await meeting_out(session, meeting, council)


@router.get("/meetings/{meeting_id}", summary="A meeting, its attendance and where each ballot stands")
async def get_meeting(
    meeting_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, Any]:
    meeting, council = await meeting_and_council(session, meeting_id, caller)
    return await meeting_out(session, meeting, council)


@router.post(
    "/meetings/{meeting_id}/items/{nomination_id}/votes",
    status_code=201,
    summary="Cast your own secret vote (council members on the roster on the meeting date)",
)
async def vote(
    meeting_id: str,
    nomination_id: str,
    body: VoteIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    if caller.retired:
        raise Forbidden(caller.retired)
    meeting, council = await meeting_and_council(session, meeting_id, caller, hide=False)
    item = await agenda_item(session, meeting_id, nomination_id, lock=True)
    check_voting(item)
    today = request.app.state.kit.settings.today()
    if not body.written and today < meeting.held_on:
        raise Conflict(
            f"the meeting is on {meeting.held_on}; members present vote there, absent members "
            "vote in writing (written: true)",
        )
    box, voters, ballots = await replayed_box(session, council, meeting, item)
    try:
        if body.written:
            receipt = box.cast_written(caller.officer_id, body.vote == "yes", written_on=today)
        else:
            receipt = box.cast(caller.officer_id, body.vote == "yes")
    except NotEligibleError as err:
        raise Forbidden(str(err)) from None
    except AlreadyVotedError:
        raise Conflict(
            f"you have already voted on this nomination in round {item.round}; each member votes once per round"
        ) from None
    except BallotError as err:
        raise Conflict(str(err)) from None
    voters.append(caller.officer_id)
    ballots.append((receipt_digest(receipt), body.vote == "yes"))
    await rewrite_box(session, item, voters, ballots)
    await append_audit(
        session,
        idempotency_key=f"ballot:{item.id}:{item.round}:voter:{caller.officer_id}",
        at=datetime.now(UTC),
        agency_code=council.agency_code,
        actor=caller.officer_id,
        action="council.vote_recorded",
        outcome="recorded",
        nomination_id=nomination_id,
        details={"meeting_id": meeting_id, "round": item.round, "written": body.written},
    )
    return {
        "receipt": receipt,
        "round": item.round,
        "written": body.written,
        "note": "Keep this receipt to check that your ballot was counted (POST /meetings/{id}/receipts/verify); "
        "it does not show your choice, and no one else is given it.",
    }


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
    meeting, council = await meeting_and_council(session, meeting_id, caller)
    check_may_run(caller, council, roster_of(council, await members_of(session, council.id)), meeting.held_on)
    item = await agenda_item(session, meeting_id, nomination_id, lock=True)
    check_voting(item)
    box, _, ballots = await replayed_box(session, council, meeting, item)
    try:
        tally = box.tally()
    except BallotError as err:
        raise Conflict(str(err)) from None
    tally = dataclasses.replace(tally, receipts=tuple(sorted(receipt for receipt, _ in ballots)))
    now = datetime.now(UTC)
    current = await round_row(session, item.id, item.round)
    current.tally, current.closed_at = stored_tally(tally), now
    session.add(current)
    await append_audit(
        session,
        idempotency_key=f"ballot:{item.id}:{item.round}:closed",
        at=now,
        agency_code=council.agency_code,
        actor=caller.officer_id,
        action="council.round_closed",
        outcome=tally.outcome,
        nomination_id=nomination_id,
        details={"meeting_id": meeting_id, **public_counts(current.tally)},
    )
    if tally.outcome == "second_round":
        item.state = "second_round_due"
    elif tally.outcome == "needs_chair_decision":
        item.state = "chair_decision_due"
    else:
        item.outcome, item.passed = tally.outcome, tally.passed
        await conclude(session, council, meeting, item, caller, now)
    session.add(item)
    return {**public_counts(current.tally), "state": item.state}


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
    meeting, council = await meeting_and_council(session, meeting_id, caller)
    roster = roster_of(council, await members_of(session, council.id))
    check_may_run(caller, council, roster, meeting.held_on)
    item = await agenda_item(session, meeting_id, nomination_id, lock=True)
    if item.state == "voting":
        raise Conflict(f"round {item.round} is still open; close it first")
    last = tally_of(await round_row(session, item.id, item.round), council, meeting)
    present = sorted(set(body.present if body.present is not None else meeting.present))
    try:
        following = next_round(last, present=frozenset(present))
    except BallotError as err:
        raise Conflict(str(err)) from None
    open_box(roster, following, stored_rule(item), previous=last)
    item.round, item.state = following.round, "voting"
    session.add(item)
    session.add(BallotRound(item_id=flushed_id(item), round=following.round, present=present))
    await append_audit(
        session,
        idempotency_key=f"ballot:{item.id}:{following.round}:opened",
        at=datetime.now(UTC),
        agency_code=council.agency_code,
        actor=caller.officer_id,
        action="council.round_opened",
        outcome="opened",
        nomination_id=nomination_id,
        details={"meeting_id": meeting_id, "round": following.round, "present": len(present)},
    )
    return {"round": following.round, "present": len(present), "state": item.state}


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
    meeting, council = await meeting_and_council(session, meeting_id, caller)
    roster = roster_of(council, await members_of(session, council.id))
    check_may_run(caller, council, roster, meeting.held_on, roles=("chair",), positions=("chair",))
    item = await agenda_item(session, meeting_id, nomination_id, lock=True)
    if item.state != "chair_decision_due":
        raise Conflict(f"no chair decision is due on this nomination: its ballot is {item.state}")
    item.outcome = "chair_passed" if body.passed else "chair_refused"
    item.passed, item.chair_reason = body.passed, body.reason
    await conclude(session, council, meeting, item, caller, datetime.now(UTC))
    session.add(item)
    return await result_out(session, council, meeting, item)


@router.get("/meetings/{meeting_id}/items/{nomination_id}/result", summary="Counts per round; never who voted how")
async def result(
    meeting_id: str,
    nomination_id: str,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    meeting, council = await meeting_and_council(session, meeting_id, caller)
    return await result_out(session, council, meeting, await agenda_item(session, meeting_id, nomination_id))


@router.post("/meetings/{meeting_id}/receipts/verify", summary="Check that the ballot with this receipt was counted")
async def verify_receipt(
    meeting_id: str,
    body: ReceiptIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    await meeting_and_council(session, meeting_id, caller)
    ballot = await session.get(BallotVote, receipt_digest(body.receipt.strip()))
    item = await session.get(CouncilItem, ballot.item_id) if ballot else None
    if ballot is None or item is None or item.meeting_id != meeting_id:
        return {"counted": False, "round": None}
    closed = (await round_row(session, item.id, ballot.round)).tally is not None
    return {"counted": True, "round": ballot.round, "nomination_id": item.nomination_id, "round_closed": closed}
