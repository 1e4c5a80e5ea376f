"""Councils and their rosters: setting a council up, who sits on it on a date, and who may run its
meetings. Functions never commit."""

import uuid
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any, cast

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.councils.models import Council, CouncilMeeting, CouncilMember
from services.kit.days import require_day
from services.kit.errors import Conflict, Forbidden, Invalid, NotFound
from services.kit.identity.models import Officer
from services.kit.identity.service import Caller
from shared.platform.db import transaction_memo
from shared.rules.ballot import Membership, Role, Roster
from shared.rules.days import VALIDITY
from shared.rules.roles import MAY


def council_out(council: Council) -> dict[str, Any]:
    return council.model_dump(include={"id", "agency_code", "name", "quorum", "default_threshold"})


def member_out(member: CouncilMember) -> dict[str, Any]:
    return {
        "officer_id": member.officer_id,
        "name": member.name,
        "position": member.position,
        "from": member.starts_on.isoformat(),
        "to": member.ends_on.isoformat() if member.ends_on else None,
    }


RUNNING_POSITIONS = ("chair", "secretary")  # council positions that run meetings, besides the agency's roles


async def own_council(session: AsyncSession, council_id: str, caller: Caller) -> Council:
    """Another agency's council looks absent (404), like its dossiers."""
    council = await session.get(Council, council_id)
    if council is None or council.agency_code != caller.agency_code:
        raise NotFound(f"no council {council_id} at {caller.agency_code}")
    return council


async def members_of(session: AsyncSession, council_id: str) -> list[CouncilMember]:
    rows = await session.exec(select(CouncilMember).where(CouncilMember.council_id == council_id))
    return list(rows.all())


def membership_of(member: CouncilMember) -> Membership:
    # The column is a plain string; Membership refuses a position that is not a Role.
    role = cast(Role, member.position)
    return Membership(member.officer_id, member.name, role, member.starts_on, member.ends_on)


def roster_of(council: Council, members: list[CouncilMember]) -> Roster:
    # Keyed by agency code, as `ballot.py` and its minutes expect: one roster per request, one council.
    return Roster(council.agency_code, tuple(membership_of(m) for m in members))


# Rosters as this transaction has read them: a ballot paper over a hundred items reads its council's
# once. The two functions that change a roster below forget them.
ROSTERS_READ = "council_rosters"


async def council_roster(session: AsyncSession, council: Council) -> Roster:
    read = transaction_memo(session, ROSTERS_READ)
    if council.id not in read:
        read[council.id] = roster_of(council, await members_of(session, council.id))
    roster: Roster = read[council.id]
    return roster


async def check_roster_change(
    session: AsyncSession,
    council: Council,
    members: list[CouncilMember],
    *,
    before: CouncilMember | None,
    after: CouncilMember,
) -> None:
    """The roster must stay valid, and stay as it was on any day the council has met: it is that
    day's threshold denominator, and rewriting it would change a ballot already cast."""
    others = [m for m in members if m is not before]
    try:
        roster_of(council, [*others, after])
    except ValueError as err:
        raise Conflict(str(err)) from None
    met = await session.exec(select(CouncilMeeting).where(CouncilMeeting.council_id == council.id))
    for meeting in met.all():
        was = before is not None and membership_of(before).on(meeting.held_on)
        if was != membership_of(after).on(meeting.held_on):
            raise Conflict(
                f"the roster on {meeting.held_on} is fixed: the council met that day "
                f"(meeting {meeting.id}), and its ballots count that roster",
            )


def refuse_retired(caller: Caller) -> None:
    if caller.retired:
        raise Forbidden(caller.retired)


def check_may_run(
    caller: Caller,
    council: Council,
    roster: Roster,
    on: date,
    *,
    roles: tuple[str, ...] = MAY["manage_council"],
    positions: tuple[str, ...] = RUNNING_POSITIONS,
) -> None:
    """The agency's chair or admin, or the council's own chair or secretary on the meeting date."""
    refuse_retired(caller)
    if caller.agency_code == council.agency_code and caller.role in roles:
        return
    if any(m.member_id == caller.officer_id and m.role in positions for m in roster.members_on(on)):
        return
    raise Forbidden(
        f"only the agency's {' or '.join(roles)}, or the council's {' or '.join(positions)} on {on}, may do this",
    )


async def set_up_council(
    session: AsyncSession, *, caller: Caller, name: str, quorum: Fraction | None, default_threshold: object
) -> Council:
    council = Council(
        id=str(uuid.uuid4()),
        agency_code=caller.agency_code,
        name=name,
        quorum=None if quorum is None else str(quorum),
        default_threshold=str(default_threshold),
        created_by=caller.officer_id,
        created_at=datetime.now(UTC),
    )
    session.add(council)
    return council


async def councils_of(session: AsyncSession, agency_code: str) -> list[Council]:
    rows = await session.exec(select(Council).where(Council.agency_code == agency_code).order_by(col(Council.name)))
    return list(rows.all())


async def roster_on(session: AsyncSession, *, caller: Caller, council_id: str, day: date) -> dict[str, Any]:
    """The council and the members on its roster on `day`."""
    council = await own_council(session, council_id, caller)
    members = [m for m in await members_of(session, council.id) if membership_of(m).on(day)]
    return {
        **council_out(council),
        "on": day.isoformat(),
        "members_total": len(members),
        "members": [member_out(m) for m in sorted(members, key=lambda m: m.officer_id)],
    }


async def appoint_member(
    session: AsyncSession,
    *,
    caller: Caller,
    council_id: str,
    officer_id: str,
    position: str,
    starts_on: date,
    ends_on: date | None,
    today: date,
) -> CouncilMember:
    """An active officer of the council's agency joins it for a period; they vote with their own token."""
    council = await own_council(session, council_id, caller)
    require_day(starts_on, today, VALIDITY, field="starts_on", field_vi="ngày bắt đầu làm thành viên")
    if ends_on is not None:
        require_day(ends_on, today, VALIDITY, field="ends_on", field_vi="ngày kết thúc làm thành viên")
    officer = await session.get(Officer, officer_id)
    if officer is None or officer.agency_code != council.agency_code or not officer.active:
        raise Invalid(
            f"{officer_id} is not an active officer of {council.agency_code}; council members "
            "vote with their own officer tokens",
        )
    member = CouncilMember(
        council_id=council.id,
        officer_id=officer.id,
        name=officer.name,
        position=position,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    members = await members_of(session, council.id)
    await check_roster_change(session, council, members, before=None, after=member)
    session.add(member)
    transaction_memo(session, ROSTERS_READ).clear()
    await session.flush()
    return member


async def end_membership(
    session: AsyncSession, *, caller: Caller, council_id: str, officer_id: str, on: date, today: date
) -> CouncilMember:
    """The officer leaves the council from `on`: their membership ends the day before."""
    council = await own_council(session, council_id, caller)
    require_day(on, today, VALIDITY, field="on", field_vi="ngày thôi làm thành viên")
    members = await members_of(session, council.id)
    current = [
        m for m in members if m.officer_id == officer_id and m.starts_on < on and (m.ends_on is None or m.ends_on >= on)
    ]
    if not current:
        raise Conflict(f"{officer_id} has no membership of this council that runs into {on}")
    member = current[0]
    after = CouncilMember(**{**member.model_dump(), "ends_on": on - timedelta(days=1)})
    await check_roster_change(session, council, members, before=member, after=after)
    member.ends_on = after.ends_on
    session.add(member)
    transaction_memo(session, ROSTERS_READ).clear()
    return member
