"""A council meeting: its date, attendance and agenda, each item with the ballot rule it votes under.

Functions never commit.
"""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.councils.agenda import ballot_rule_for, check_agenda_nomination
from services.kit.councils.ballots import flushed_id, open_box
from services.kit.councils.models import BallotRound, Council, CouncilItem, CouncilMeeting
from services.kit.councils.schemas import ItemIn
from services.kit.councils.service import check_may_run, council_roster, own_council
from services.kit.days import require_day
from services.kit.errors import Conflict, Invalid, NotFound
from services.kit.identity.service import Caller
from shared.platform.audit import append_audit
from shared.rules.ballot import Meeting
from shared.rules.days import MEETING

ITEM_FIELDS = {
    "nomination_id",
    "award_code",
    "nominee_name",
    "threshold",
    "quorum",
    "round",
    "state",
    "outcome",
    "passed",
    "chair_reason",
}


async def meeting_and_council(
    session: AsyncSession, meeting_id: str, caller: Caller, *, hide: bool = True
) -> tuple[CouncilMeeting, Council]:
    """The meeting and its council; other agencies' meetings look absent unless `hide` is off (a
    vote from a stranger is refused by the roster, with a 403 that says why)."""
    meeting = await session.get(CouncilMeeting, meeting_id)
    if meeting is None or (hide and meeting.agency_code != caller.agency_code):
        raise NotFound(f"no meeting {meeting_id} at {caller.agency_code}")
    council = await session.get(Council, meeting.council_id)
    assert council is not None
    return meeting, council


async def meeting_out(session: AsyncSession, meeting: CouncilMeeting, council: Council) -> dict[str, Any]:
    items = await session.exec(
        select(CouncilItem).where(CouncilItem.meeting_id == meeting.id).order_by(col(CouncilItem.id))
    )
    roster = await council_roster(session, council)
    return {
        "id": meeting.id,
        "council_id": council.id,
        "agency_code": council.agency_code,
        "held_on": meeting.held_on.isoformat(),
        "present": meeting.present,
        "members_total": roster.size_on(meeting.held_on),
        "items": [item.model_dump(include=ITEM_FIELDS) for item in items.all()],
    }


async def describe_meeting(session: AsyncSession, *, caller: Caller, meeting_id: str) -> dict[str, Any]:
    """A meeting of the caller's agency, its attendance and where each ballot stands."""
    meeting, council = await meeting_and_council(session, meeting_id, caller)
    return await meeting_out(session, meeting, council)


async def hold_meeting(
    session: AsyncSession,
    *,
    caller: Caller,
    council_id: str,
    held_on: date,
    present: list[str],
    items: list[ItemIn],
    level: str,
    today: date,
) -> dict[str, Any]:
    """Record a meeting and open the first round of each item on its agenda.

    Each item gets the ballot rule of its award at this level (threshold and quorum of the members
    on the roster that day); a meeting without its quorum cannot vote, and is refused.
    """
    council = await own_council(session, council_id, caller)
    roster = await council_roster(session, council)
    check_may_run(caller, council, roster, held_on)
    require_day(held_on, today, MEETING, field="held_on", field_vi="ngày họp")
    ids = [item.nomination_id for item in items]
    if len(set(ids)) != len(ids):
        raise Invalid("a nomination appears twice on the agenda")
    eligible = roster.size_on(held_on)
    if not eligible:
        raise Conflict(f"the council has no members on {held_on}; appoint them first")
    meeting = CouncilMeeting(
        id=str(uuid.uuid4()),
        council_id=council.id,
        agency_code=council.agency_code,
        held_on=held_on,
        present=sorted(set(present)),
        created_by=caller.officer_id,
        created_at=datetime.now(UTC),
    )
    session.add(meeting)
    agenda = []
    for entry in items:
        await check_agenda_nomination(session, council.agency_code, entry)
        rule = await ballot_rule_for(session, council, entry.award_code, held_on, eligible, default_level=level)
        box = open_box(roster, Meeting(council.agency_code, held_on, 1, frozenset(meeting.present)), rule)
        if not box.quorum_met:
            raise Conflict(
                f"{len(meeting.present)} of {eligible} members present; the quorum is {rule.quorum} "
                f"of total members, so the meeting cannot vote",
            )
        agenda.append(
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
    session.add_all(agenda)
    await session.flush()
    for item in agenda:
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
