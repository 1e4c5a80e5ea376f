"""Councils (Hội đồng TĐKT) and their secret ballots over HTTP (domain.md §3.4, §4.7, §9.1, §9.4 case 11).

The ballot rules are `shared.rules.ballot`'s: each request rebuilds a `BallotBox` from the stored
roster, attendance and ballots, lets it judge the step (eligibility on the meeting date, one vote
per round, written votes from absentees, quorum, threshold on total members, at most two rounds),
and stores the result. Storage keeps the box's secrecy: who has voted (`BallotVoter`) and what was
cast (`BallotVote`, by receipt hash) are separate sets, rewritten in key order on every vote, so
that neither row order nor the inserting transaction pairs a voter with a choice. Replaying a box
pairs voters and ballots arbitrarily, in memory only: the counts do not depend on the pairing.
"""

import dataclasses
import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

from fastapi import APIRouter, Depends, Request, status
from sqlmodel import col, delete, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.audit import append_audit
from shared.hierarchy.registry import agency_on
from shared.kit.auth import Caller, current_officer, require_role
from shared.kit.consultation import consultation_lines
from shared.kit.council_models import (
    BallotRound,
    BallotVote,
    BallotVoter,
    ChairDecisionIn,
    Council,
    CouncilIn,
    CouncilItem,
    CouncilMeeting,
    CouncilMember,
    ItemIn,
    LeaveIn,
    MeetingIn,
    MemberIn,
    ReceiptIn,
    RoundIn,
    VoteIn,
)
from shared.kit.deps import db
from shared.kit.dossier import store_level_document
from shared.kit.service import _problem
from shared.models import Nomination, Officer, Review
from shared.rules.ballot import (
    AlreadyVotedError,
    BallotBox,
    BallotError,
    BallotRule,
    Meeting,
    Membership,
    NotEligibleError,
    Roster,
    Tally,
    minutes,
    next_round,
)
from shared.rules.ballot_rules import BallotRules, default_ballot_rules
from shared.rules.catalog import default_catalog

router = APIRouter(tags=["councils"])
MANAGING_ROLES = ("chair", "admin")  # agency roles that keep the roster and run meetings
RUNNING_POSITIONS = ("chair", "secretary")  # council positions that run meetings too


# ---------------------------------------------------------------- councils and rosters


@router.post("/councils", status_code=201, summary="Set up the caller's agency's council (chair, admin)")
async def create_council(
    body: CouncilIn, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, Any]:
    require_role(caller, *MANAGING_ROLES)
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
    require_role(caller, *MANAGING_ROLES)
    council = await own_council(session, council_id, caller)
    officer = await session.get(Officer, body.officer_id)
    if officer is None or officer.agency_code != council.agency_code or not officer.active:
        raise _problem(
            422,
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
    require_role(caller, *MANAGING_ROLES)
    council = await own_council(session, council_id, caller)
    members = await members_of(session, council_id)
    current = [
        m
        for m in members
        if m.officer_id == officer_id and m.starts_on < body.on and (m.ends_on is None or m.ends_on >= body.on)
    ]
    if not current:
        raise _problem(409, f"{officer_id} has no membership of this council that runs into {body.on}")
    member = current[0]
    after = CouncilMember(**{**member.model_dump(), "ends_on": body.on - timedelta(days=1)})
    await check_roster_change(session, council, members, before=member, after=after)
    member.ends_on = after.ends_on
    session.add(member)
    return member_out(member)


# ---------------------------------------------------------------- meetings and ballots


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
        raise _problem(422, "a nomination appears twice on the agenda")
    eligible = roster.size_on(body.held_on)
    if not eligible:
        raise _problem(409, f"the council has no members on {body.held_on}; appoint them first")
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
            raise _problem(
                409,
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
        raise _problem(status.HTTP_403_FORBIDDEN, caller.retired)
    meeting, council = await meeting_and_council(session, meeting_id, caller, hide=False)
    item = await agenda_item(session, meeting_id, nomination_id, lock=True)
    check_voting(item)
    today = request.app.state.kit.settings.today()
    if not body.written and today < meeting.held_on:
        raise _problem(
            409,
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
        raise _problem(status.HTTP_403_FORBIDDEN, str(err)) from None
    except AlreadyVotedError:
        raise _problem(
            409, f"you have already voted on this nomination in round {item.round}; each member votes once per round"
        ) from None
    except BallotError as err:
        raise _problem(409, str(err)) from None
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
        raise _problem(409, str(err)) from None
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
        raise _problem(409, f"round {item.round} is still open; close it first")
    last = tally_of(await round_row(session, item.id, item.round), council, meeting)
    present = sorted(set(body.present if body.present is not None else meeting.present))
    try:
        following = next_round(last, present=frozenset(present))
    except BallotError as err:
        raise _problem(409, str(err)) from None
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
        raise _problem(409, f"no chair decision is due on this nomination: its ballot is {item.state}")
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


# ---------------------------------------------------------------- helpers


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


async def own_council(session: AsyncSession, council_id: str, caller: Caller) -> Council:
    """Another agency's council looks absent (404), like its dossiers."""
    council = await session.get(Council, council_id)
    if council is None or council.agency_code != caller.agency_code:
        raise _problem(404, f"no council {council_id} at {caller.agency_code}")
    return council


async def members_of(session: AsyncSession, council_id: str) -> list[CouncilMember]:
    rows = await session.exec(select(CouncilMember).where(CouncilMember.council_id == council_id))
    return list(rows.all())


def membership_of(member: CouncilMember) -> Membership:
    return Membership(member.officer_id, member.name, member.position, member.starts_on, member.ends_on)  # type: ignore[arg-type]


def roster_of(council: Council, members: list[CouncilMember]) -> Roster:
    # Keyed by agency code, as `ballot.py` and its minutes expect: one roster per request, one council.
    return Roster(council.agency_code, tuple(membership_of(m) for m in members))


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
        raise _problem(409, str(err)) from None
    met = await session.exec(select(CouncilMeeting).where(CouncilMeeting.council_id == council.id))
    for meeting in met.all():
        was = before is not None and membership_of(before).on(meeting.held_on)
        if was != membership_of(after).on(meeting.held_on):
            raise _problem(
                409,
                f"the roster on {meeting.held_on} is fixed: the council met that day "
                f"(meeting {meeting.id}), and its ballots count that roster",
            )


def check_may_run(
    caller: Caller,
    council: Council,
    roster: Roster,
    on: date,
    *,
    roles: tuple[str, ...] = MANAGING_ROLES,
    positions: tuple[str, ...] = RUNNING_POSITIONS,
) -> None:
    """The agency's chair or admin, or the council's own chair or secretary on the meeting date."""
    if caller.retired:
        raise _problem(status.HTTP_403_FORBIDDEN, caller.retired)
    if caller.agency_code == council.agency_code and caller.role in roles:
        return
    if any(m.member_id == caller.officer_id and m.role in positions for m in roster.members_on(on)):
        return
    raise _problem(
        status.HTTP_403_FORBIDDEN,
        f"only the agency's {' or '.join(roles)}, or the council's {' or '.join(positions)} on {on}, may do this",
    )


async def check_agenda_nomination(session: AsyncSession, agency_code: str, entry: ItemIn) -> None:
    """The council reviews its own agency's proposals and what is pending at the agency."""
    if entry.award_code not in default_catalog().awards:
        raise _problem(422, f"unknown award code '{entry.award_code}'; GET /catalog/awards lists the codes")
    nomination = await session.get(Nomination, entry.nomination_id)
    known = nomination.award_code if nomination and nomination.proposer_agency == agency_code else None
    if known is None:
        review = (
            await session.exec(
                select(Review).where(Review.nomination_id == entry.nomination_id, Review.agency_code == agency_code)
            )
        ).first()
        known = review.award_code if review else None
    if known is None:
        raise _problem(404, f"nomination {entry.nomination_id} is neither proposed by nor reviewed at {agency_code}")
    if known != entry.award_code:
        raise _problem(422, f"nomination {entry.nomination_id} proposes {known}, not {entry.award_code}")


async def ballot_rule_for(
    session: AsyncSession, council: Council, award_code: str, on: date, eligible: int, *, default_level: str
) -> BallotRule:
    """The catalog's ballot for the award at this council; for awards without a mandatory ballot,
    the council's default threshold under the same quorum and rounds. A council's own quorum wins."""
    agency = await agency_on(session, council.agency_code, on)
    level = agency.tier if agency else default_level
    rules = default_ballot_rules()
    rule = rules.rule_for(award_code, level, agency=council.agency_code) or optional_rule_for(
        rules, award_code, level, council, eligible
    )
    if council.quorum is not None:
        rule = dataclasses.replace(
            rule,
            quorum=Fraction(council.quorum),
            basis=(*rule.basis, f"Tỷ lệ có mặt do Hội đồng quy định: {council.quorum}"),
        )
    return rule


def optional_rule_for(rules: BallotRules, award_code: str, level: str, council: Council, eligible: int) -> BallotRule:
    # rule_for answers None for these awards, but the council still needs its quorum and rounds.
    settings: dict[str, Any] = {
        "quorum": rules.defaults.quorum,
        "max_rounds": rules.defaults.max_rounds,
        "after_last_round": rules.defaults.after_last_round,
    }
    basis = [rules.defaults.citation.text()]
    for override in rules.overrides:
        if override.applies(level, None, council.agency_code):
            settings.update({key: value for key in settings if (value := getattr(override, key)) is not None})
            basis.append(override.citation.text())
    if council.default_threshold == "majority":
        threshold = Fraction(eligible // 2 + 1, eligible)
        basis.append("Không bắt buộc bỏ phiếu kín: quá bán tổng số thành viên Hội đồng (mặc định, có thể cấu hình)")
    else:
        threshold = Fraction(council.default_threshold)
        basis.append(f"Không bắt buộc bỏ phiếu kín: tỷ lệ do Hội đồng quy định {council.default_threshold}")
    return BallotRule(award=award_code, threshold=threshold, basis=tuple(basis), **settings)


def stored_rule(item: CouncilItem) -> BallotRule:
    return BallotRule(
        award=item.award_code,
        threshold=Fraction(item.threshold),
        quorum=Fraction(item.quorum),
        max_rounds=item.max_rounds,
        after_last_round=item.after_last_round,  # type: ignore[arg-type]
        basis=tuple(item.basis),
    )


def open_box(roster: Roster, meeting: Meeting, rule: BallotRule, previous: Tally | None = None) -> BallotBox:
    try:
        return BallotBox(roster, meeting, rule, previous=previous)
    except NotEligibleError as err:
        raise _problem(422, str(err)) from None
    except BallotError as err:
        raise _problem(409, str(err)) from None


async def meeting_and_council(
    session: AsyncSession, meeting_id: str, caller: Caller, *, hide: bool = True
) -> tuple[CouncilMeeting, Council]:
    """The meeting and its council; other agencies' meetings look absent unless `hide` is off (a
    vote from a stranger is refused by the roster, with a 403 that says why)."""
    meeting = await session.get(CouncilMeeting, meeting_id)
    if meeting is None or (hide and meeting.agency_code != caller.agency_code):
        raise _problem(404, f"no meeting {meeting_id} at {caller.agency_code}")
    council = await session.get(Council, meeting.council_id)
    assert council is not None
    return meeting, council


async def agenda_item(session: AsyncSession, meeting_id: str, nomination_id: str, *, lock: bool = False) -> CouncilItem:
    query = select(CouncilItem).where(CouncilItem.meeting_id == meeting_id, CouncilItem.nomination_id == nomination_id)
    item = (await session.exec(query.with_for_update() if lock else query)).first()
    if item is None:
        raise _problem(404, f"nomination {nomination_id} is not on the agenda of meeting {meeting_id}")
    return item


def check_voting(item: CouncilItem) -> None:
    if item.state == "second_round_due":
        raise _problem(
            409,
            f"round {item.round} is closed and did not pass; the chair or secretary opens round "
            f"{item.round + 1} (POST .../rounds) before anyone votes again",
        )
    if item.state == "chair_decision_due":
        raise _problem(409, f"the ballot failed after {item.round} rounds; the chair decides (POST .../chair-decision)")
    if item.state == "concluded":
        raise _problem(409, f"the ballot on this nomination has concluded ({item.outcome})")


async def round_row(session: AsyncSession, item_id: int | None, round_: int) -> BallotRound:
    found = await session.exec(select(BallotRound).where(BallotRound.item_id == item_id, BallotRound.round == round_))
    return found.one()


async def replayed_box(
    session: AsyncSession, council: Council, meeting: CouncilMeeting, item: CouncilItem
) -> tuple[BallotBox, list[str], list[tuple[str, bool]]]:
    """The open round's box as stored: the ballot rules judge the next step against it."""
    current = await round_row(session, item.id, item.round)
    previous = tally_of(await round_row(session, item.id, item.round - 1), council, meeting) if item.round > 1 else None
    roster = roster_of(council, await members_of(session, council.id))
    box = open_box(
        roster,
        Meeting(council.agency_code, meeting.held_on, item.round, frozenset(current.present)),
        stored_rule(item),
        previous,
    )
    where = (BallotVoter.item_id == item.id, BallotVoter.round == item.round)
    voters = list((await session.exec(select(BallotVoter.officer_id).where(*where))).all())
    votes = select(BallotVote.receipt_sha256, BallotVote.yes).where(
        BallotVote.item_id == item.id, BallotVote.round == item.round
    )
    ballots = [(receipt, yes) for receipt, yes in (await session.exec(votes)).all()]
    if len(voters) != len(ballots):
        raise RuntimeError(f"ballot box {item.id}/{item.round} holds {len(voters)} voters and {len(ballots)} ballots")
    for member_id, (_, yes) in zip(sorted(voters), sorted(ballots), strict=True):
        if member_id in box.meeting.present:
            box.cast(member_id, yes)
        else:
            box.cast_written(member_id, yes, written_on=meeting.held_on)
    return box, voters, ballots


async def rewrite_box(
    session: AsyncSession, item: CouncilItem, voters: list[str], ballots: list[tuple[str, bool]]
) -> None:
    """Replace both sets, each in its own key order, so that every row of a round shares one
    inserting transaction and a storage position that says nothing about when it was cast."""
    await session.exec(
        delete(BallotVoter).where(col(BallotVoter.item_id) == item.id, col(BallotVoter.round) == item.round)
    )
    await session.exec(
        delete(BallotVote).where(col(BallotVote.item_id) == item.id, col(BallotVote.round) == item.round)
    )
    await session.exec(
        insert(BallotVoter),
        params=[{"item_id": item.id, "round": item.round, "officer_id": officer} for officer in sorted(voters)],
    )
    await session.exec(
        insert(BallotVote),
        params=[
            {"receipt_sha256": receipt, "item_id": item.id, "round": item.round, "yes": yes}
            for receipt, yes in sorted(ballots)
        ],
    )


def flushed_id(item: CouncilItem) -> int:
    assert item.id is not None, "the item is flushed before its rounds are stored"
    return item.id


def receipt_digest(receipt: str) -> str:
    return hashlib.sha256(receipt.encode()).hexdigest()


def stored_tally(tally: Tally) -> dict[str, Any]:
    return {
        "round": tally.round,
        "eligible": tally.eligible,
        "present": tally.present,
        "written": tally.written,
        "cast": tally.cast,
        "yes": tally.yes,
        "no": tally.no,
        "threshold": str(tally.threshold),
        "quorum": str(tally.quorum),
        "required_yes": tally.required_yes,
        "passed": tally.passed,
        "outcome": tally.outcome,
        "receipts": list(tally.receipts),
    }


def tally_of(stored_round: BallotRound, council: Council, meeting: CouncilMeeting) -> Tally:
    t = stored_round.tally
    assert t is not None, "an open round has no tally"
    return Tally(
        council=council.agency_code,
        held_on=meeting.held_on,
        round=t["round"],
        eligible=t["eligible"],
        present=t["present"],
        written=t["written"],
        cast=t["cast"],
        yes=t["yes"],
        no=t["no"],
        threshold=Fraction(t["threshold"]),
        quorum=Fraction(t["quorum"]),
        passed=t["passed"],
        outcome=t["outcome"],
        receipts=tuple(t["receipts"]),
    )


def public_counts(t: dict[str, Any]) -> dict[str, Any]:
    """What a round publishes: counts, never a voter."""
    return {
        "round": t["round"],
        "yes": t["yes"],
        "no": t["no"],
        "not_voted": t["eligible"] - t["cast"],
        "members_total": t["eligible"],
        "present": t["present"],
        "written": t["written"],
        "threshold": t["threshold"],
        "required_yes": t["required_yes"],
        "quorum": t["quorum"],
        "passed": t["passed"],
        "outcome": t["outcome"],
    }


async def closed_rounds(session: AsyncSession, item: CouncilItem) -> list[BallotRound]:
    query = select(BallotRound).where(BallotRound.item_id == item.id).order_by(col(BallotRound.round))
    rows = await session.exec(query)
    return [r for r in rows.all() if r.tally is not None]


async def conclude(
    session: AsyncSession, council: Council, meeting: CouncilMeeting, item: CouncilItem, caller: Caller, now: datetime
) -> None:
    """Close the item and add the minutes and the ballot result to the nomination's dossier."""
    item.state, item.concluded_at = "concluded", now
    rounds = [tally_of(r, council, meeting) for r in await closed_rounds(session, item)]
    stem = f"{meeting.held_on.isoformat()}-{item.nomination_id[:8]}"
    documents = (
        (
            "bien_ban_hoi_dong",
            f"bien-ban-hoi-dong-{stem}.txt",
            "text/plain; charset=utf-8",
            await minutes_text(session, council, meeting, item, rounds),
        ),
        (
            "ket_qua_bo_phieu",
            f"ket-qua-bo-phieu-{stem}.json",
            "application/json; charset=utf-8",
            ballot_result_json(council, meeting, item, rounds),
        ),
    )
    for kind, filename, content_type, text in documents:
        await store_level_document(
            session,
            nomination_id=item.nomination_id,
            agency_code=council.agency_code,
            kind=kind,
            filename=filename,
            content_type=content_type,
            content=text.encode("utf-8"),
            uploaded_by=caller.officer_id,
        )
    await append_audit(
        session,
        idempotency_key=f"ballot:{item.id}:concluded",
        at=now,
        agency_code=council.agency_code,
        actor=caller.officer_id,
        action="council.ballot_concluded",
        outcome=item.outcome or "",
        nomination_id=item.nomination_id,
        reason=item.chair_reason,
        details={
            "meeting_id": meeting.id,
            "passed": item.passed,
            "rounds": len(rounds),
            **({"last_round": public_counts(stored_tally(rounds[-1]))} if rounds else {}),
        },
    )


async def result_out(
    session: AsyncSession, council: Council, meeting: CouncilMeeting, item: CouncilItem
) -> dict[str, Any]:
    rounds = [public_counts(r.tally) for r in await closed_rounds(session, item) if r.tally is not None]
    return {
        "meeting_id": meeting.id,
        "council_id": council.id,
        "held_on": meeting.held_on.isoformat(),
        "nomination_id": item.nomination_id,
        "award_code": item.award_code,
        "nominee_name": item.nominee_name,
        "threshold": item.threshold,
        "quorum": item.quorum,
        "max_rounds": item.max_rounds,
        "round": item.round,
        "state": item.state,
        "outcome": item.outcome,
        "passed": item.passed,
        "chair_reason": item.chair_reason,
        "rounds": rounds,
    }


async def meeting_out(session: AsyncSession, meeting: CouncilMeeting, council: Council) -> dict[str, Any]:
    items = await session.exec(select(CouncilItem).where(CouncilItem.meeting_id == meeting.id).order_by(CouncilItem.id))  # type: ignore[arg-type]
    roster = roster_of(council, await members_of(session, council.id))
    return {
        "id": meeting.id,
        "council_id": council.id,
        "agency_code": council.agency_code,
        "held_on": meeting.held_on.isoformat(),
        "present": meeting.present,
        "members_total": roster.size_on(meeting.held_on),
        "items": [
            item.model_dump(
                include={
                    "nomination_id",
                    "award_code",
                    "nominee_name",
                    "threshold",
                    "quorum",
                    "round",
                    "state",
                    "outcome",
                    "passed",
                }
            )
            for item in items.all()
        ],
    }


# ---------------------------------------------------------------- minutes (biên bản) and result


CONCLUSION = {
    "passed": "Hội đồng thống nhất đề nghị {award} cho {nominee} (kết quả bỏ phiếu đạt tỷ lệ quy định).",
    "failed": "Hội đồng không đề nghị {award} cho {nominee} (kết quả bỏ phiếu không đạt tỷ lệ quy định).",
    "chair_passed": "Sau {rounds} vòng bỏ phiếu không đạt, Chủ tịch Hội đồng quyết định ĐỀ NGHỊ {award} cho {nominee}.",
    "chair_refused": "Sau {rounds} vòng bỏ phiếu không đạt, Chủ tịch Hội đồng quyết định KHÔNG ĐỀ NGHỊ {award} "
    "cho {nominee}.",
}


async def minutes_text(
    session: AsyncSession, council: Council, meeting: CouncilMeeting, item: CouncilItem, tallies: list[Tally]
) -> str:
    """The biên bản họp hội đồng: the vote-count minutes of each round (`ballot.minutes`), what the
    public consultation raised (complaints are answered in the minutes, domain.md §4.5, §9.4 case
    10), and the conclusion. Counts and receipt hashes only: no member is named next to a choice."""
    award = default_catalog().award(item.award_code).name_vi
    agency = await agency_on(session, council.agency_code, meeting.held_on)
    agency_name = agency.name if agency else council.name
    lines = [
        "BIÊN BẢN HỌP HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG",
        f"{council.name} (cơ quan {council.agency_code})",
        f"Ngày họp: {meeting.held_on:%d/%m/%Y}.",
        f"Nội dung: xét đề nghị {award} ({item.award_code}) cho {item.nominee_name} (hồ sơ {item.nomination_id}).",
        f"Căn cứ: {'; '.join(item.basis)}.",
        "",
    ]
    lines += await consultation_lines(session, item.nomination_id)
    for tally in tallies:
        meeting_round = Meeting(council.agency_code, meeting.held_on, tally.round, frozenset())
        lines += [minutes(meeting_round, tally, agency_name, award, item.nominee_name).rstrip("\n"), ""]
    lines.append("Ghi chú: mã phiếu ghi trên là mã băm SHA-256 của mã phiếu mỗi thành viên tự giữ.")
    conclusion = CONCLUSION[item.outcome or "failed"].format(
        award=award, nominee=item.nominee_name, rounds=len(tallies)
    )
    lines.append(f"KẾT LUẬN: {conclusion}")
    if item.chair_reason:
        lines.append(f"Lý do: {item.chair_reason}")
    return "\n".join(lines) + "\n"


def ballot_result_json(council: Council, meeting: CouncilMeeting, item: CouncilItem, tallies: list[Tally]) -> str:
    """The kết quả bỏ phiếu as JSON the next level can read: counts per round, no voter."""
    award = default_catalog().award(item.award_code)
    document = {
        "tai_lieu": "Kết quả bỏ phiếu kín",
        "hoi_dong": council.name,
        "co_quan": council.agency_code,
        "ngay_hop": meeting.held_on.isoformat(),
        "ho_so": item.nomination_id,
        "hinh_thuc": award.name_vi,
        "ma_hinh_thuc": item.award_code,
        "doi_tuong": item.nominee_name,
        "ty_le_dong_y_yeu_cau": f"{item.threshold} tổng số thành viên Hội đồng",
        "ty_le_co_mat_toi_thieu": f"{item.quorum} tổng số thành viên Hội đồng",
        "can_cu": item.basis,
        "cac_vong": [
            {
                "vong": t.round,
                "tong_so_thanh_vien": t.eligible,
                "co_mat": t.present,
                "phieu_van_ban": t.written,
                "tong_so_phieu": t.cast,
                "dong_y": t.yes,
                "khong_dong_y": t.no,
                "khong_bo_phieu": t.eligible - t.cast,
                "so_phieu_dong_y_toi_thieu": t.required_yes,
                "dat": t.passed,
            }
            for t in tallies
        ],
        "ket_luan": CONCLUSION[item.outcome or "failed"].format(
            award=award.name_vi, nominee=item.nominee_name, rounds=len(tallies)
        ),
        "dat": item.passed,
        "ly_do_cua_chu_tich": item.chair_reason,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
