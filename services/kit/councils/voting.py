"""Voting on an agenda item: a member's secret vote, counting a round, the second and last round,
the chair's decision after it, the result, and checking a receipt. Functions never commit.

Each function finds the open box as stored (`ballots.replayed_box`) and lets the rules of
`shared.rules.ballot` judge the step: who may vote, once per round, quorum, threshold.
"""

import dataclasses
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.councils.ballots import (
    agenda_item,
    check_voting,
    flushed_id,
    forget_boxes,
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
from services.kit.councils.meetings import meeting_and_council
from services.kit.councils.minutes import conclude
from services.kit.councils.models import BallotRound, BallotVote, Council, CouncilItem, CouncilMeeting
from services.kit.councils.service import RUNNING_POSITIONS, check_may_run, council_roster, refuse_retired
from services.kit.errors import Conflict, Forbidden
from services.kit.identity.service import Caller
from shared.platform.audit import append_audit
from shared.rules.ballot import AlreadyVotedError, BallotError, NotEligibleError, Roster, next_round
from shared.rules.roles import MAY


class Sitting(NamedTuple):
    """An agenda item in the hands of someone who may run its meeting, locked for the step."""

    meeting: CouncilMeeting
    council: Council
    roster: Roster
    item: CouncilItem


async def sitting_for(
    session: AsyncSession,
    *,
    caller: Caller,
    meeting_id: str,
    nomination_id: str,
    roles: tuple[str, ...] = MAY["manage_council"],
    positions: tuple[str, ...] = RUNNING_POSITIONS,
) -> Sitting:
    meeting, council = await meeting_and_council(session, meeting_id, caller)
    roster = await council_roster(session, council)
    check_may_run(caller, council, roster, meeting.held_on, roles=roles, positions=positions)
    item = await agenda_item(session, meeting.id, nomination_id, lock=True)
    return Sitting(meeting, council, roster, item)


async def cast_vote(
    session: AsyncSession,
    *,
    caller: Caller,
    meeting_id: str,
    nomination_id: str,
    yes: bool,
    written: bool,
    today: date,
) -> tuple[str, CouncilItem]:
    """The caller's own vote; the receipt it returns lets them check it was counted, not how."""
    refuse_retired(caller)
    # Another agency's meeting is not hidden here: its roster refuses a stranger's vote with a 403 that says why.
    meeting, council = await meeting_and_council(session, meeting_id, caller, hide=False)
    item = await agenda_item(session, meeting.id, nomination_id, lock=True)
    check_voting(item)
    if not written and today != meeting.held_on:
        raise Conflict(
            f"the meeting is on {meeting.held_on}; members present vote there, on that day, and absent "
            "members vote in writing before it (written: true)",
            vi=f"phiên họp ngày {meeting.held_on:%d/%m/%Y}: thành viên có mặt bỏ phiếu tại phiên họp, "
            "trong ngày họp; thành viên vắng mặt gửi phiếu bằng văn bản trước phiên họp",
        )
    box, voters, ballots = await replayed_box(session, council, meeting, item)
    try:
        if written:
            receipt = box.cast_written(caller.officer_id, yes, written_on=today)
        else:
            receipt = box.cast(caller.officer_id, yes)
    except NotEligibleError as err:
        raise Forbidden(str(err)) from None
    except AlreadyVotedError:
        raise Conflict(
            f"you have already voted on this nomination in round {item.round}; each member votes once per round"
        ) from None
    except BallotError as err:
        raise Conflict(str(err)) from None
    stored = bool(voters)
    voters.append(caller.officer_id)
    ballots.append((receipt_digest(receipt), yes))
    await rewrite_box(session, item, voters, ballots, stored=stored)
    await append_audit(
        session,
        idempotency_key=f"ballot:{item.id}:{item.round}:voter:{caller.officer_id}",
        at=datetime.now(UTC),
        agency_code=council.agency_code,
        actor=caller.officer_id,
        action="council.vote_recorded",
        outcome="recorded",
        nomination_id=nomination_id,
        details={"meeting_id": meeting.id, "round": item.round, "written": written},
    )
    return receipt, item


async def count_round(session: AsyncSession, *, caller: Caller, meeting_id: str, nomination_id: str) -> dict[str, Any]:
    """Close the open round: a pass or a failure concludes the item, unless a second round or
    the chair's decision is due."""
    meeting, council, _, item = await sitting_for(
        session, caller=caller, meeting_id=meeting_id, nomination_id=nomination_id
    )
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
        details={"meeting_id": meeting.id, **public_counts(current.tally)},
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


async def open_last_round(
    session: AsyncSession, *, caller: Caller, meeting_id: str, nomination_id: str, present: list[str] | None
) -> dict[str, Any]:
    """Open the second and last round after a failed first one, with who is present now."""
    meeting, council, roster, item = await sitting_for(
        session, caller=caller, meeting_id=meeting_id, nomination_id=nomination_id
    )
    if item.state == "voting":
        raise Conflict(f"round {item.round} is still open; close it first")
    last = tally_of(await round_row(session, item.id, item.round), council, meeting)
    attending = sorted(set(present if present is not None else meeting.present))
    try:
        following = next_round(last, present=frozenset(attending))
    except BallotError as err:
        raise Conflict(str(err)) from None
    open_box(roster, following, stored_rule(item), previous=last)
    item.round, item.state = following.round, "voting"
    session.add(item)
    session.add(BallotRound(item_id=flushed_id(item), round=following.round, present=attending))
    forget_boxes(session)
    await append_audit(
        session,
        idempotency_key=f"ballot:{item.id}:{following.round}:opened",
        at=datetime.now(UTC),
        agency_code=council.agency_code,
        actor=caller.officer_id,
        action="council.round_opened",
        outcome="opened",
        nomination_id=nomination_id,
        details={"meeting_id": meeting.id, "round": following.round, "present": len(attending)},
    )
    return {"round": following.round, "present": len(attending), "state": item.state}


async def decide_as_chair(
    session: AsyncSession, *, caller: Caller, meeting_id: str, nomination_id: str, passed: bool, reason: str
) -> dict[str, Any]:
    """After the last failed round the chair (the agency's or the council's) decides, with a reason."""
    meeting, council, _, item = await sitting_for(
        session,
        caller=caller,
        meeting_id=meeting_id,
        nomination_id=nomination_id,
        roles=("chair",),
        positions=("chair",),
    )
    if item.state != "chair_decision_due":
        raise Conflict(f"no chair decision is due on this nomination: its ballot is {item.state}")
    item.outcome = "chair_passed" if passed else "chair_refused"
    item.passed, item.chair_reason = passed, reason
    await conclude(session, council, meeting, item, caller, datetime.now(UTC))
    session.add(item)
    return await result_out(session, council, meeting, item)


async def describe_result(
    session: AsyncSession, *, caller: Caller, meeting_id: str, nomination_id: str
) -> dict[str, Any]:
    """Where an item's ballot stands: counts per round, never who voted how."""
    meeting, council = await meeting_and_council(session, meeting_id, caller)
    return await result_out(session, council, meeting, await agenda_item(session, meeting_id, nomination_id))


async def check_receipt(session: AsyncSession, *, caller: Caller, meeting_id: str, receipt: str) -> dict[str, Any]:
    """Whether the ballot with this receipt is in the box of a meeting of the caller's agency (never
    what it says)."""
    await meeting_and_council(session, meeting_id, caller)
    ballot = await session.get(BallotVote, receipt_digest(receipt.strip()))
    item = await session.get(CouncilItem, ballot.item_id) if ballot else None
    if ballot is None or item is None or item.meeting_id != meeting_id:
        return {"counted": False, "round": None}
    closed = (await round_row(session, item.id, ballot.round)).tally is not None
    return {"counted": True, "round": ballot.round, "nomination_id": item.nomination_id, "round_closed": closed}
