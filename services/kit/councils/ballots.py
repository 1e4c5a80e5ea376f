"""Secret ballots as stored: each request rebuilds the box from the roster, attendance and ballots,
and the rules of `shared.rules.ballot` judge the next step.

Storage keeps the box's secrecy: who has voted (`BallotVoter`) and what was cast (`BallotVote`, by
receipt hash) are separate sets, rewritten in key order on every vote, so that neither row order nor
the inserting transaction pairs a voter with a choice. Replaying a box pairs voters and ballots
arbitrarily, in memory only: the counts do not depend on the pairing.
"""

import hashlib
from fractions import Fraction
from typing import Any, cast

from sqlalchemy import tuple_
from sqlmodel import col, delete, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.councils.models import BallotRound, BallotVote, BallotVoter, Council, CouncilItem, CouncilMeeting
from services.kit.councils.service import council_roster
from services.kit.errors import Conflict, Invalid, NotFound
from shared.platform.db import transaction_memo
from shared.rules.ballot import BallotBox, BallotError, BallotRule, Meeting, NotEligibleError, Roster, Tally
from shared.rules.ballot_rules import AfterLastRound


def stored_rule(item: CouncilItem) -> BallotRule:
    return BallotRule(
        award=item.award_code,
        threshold=Fraction(item.threshold),
        quorum=Fraction(item.quorum),
        max_rounds=item.max_rounds,
        # Stored from a BallotRule when the meeting was set, so it is one of AfterLastRound.
        after_last_round=cast(AfterLastRound, item.after_last_round),
        basis=tuple(item.basis),
    )


def open_box(roster: Roster, meeting: Meeting, rule: BallotRule, previous: Tally | None = None) -> BallotBox:
    try:
        return BallotBox(roster, meeting, rule, previous=previous)
    except NotEligibleError as err:
        raise Invalid(str(err)) from None
    except BallotError as err:
        raise Conflict(str(err)) from None


# A ballot paper's boxes as its transaction has read them (`prime_boxes`): its items (locked), their
# rounds and both sets of every round, in four statements instead of five for each item. The
# functions below answer from them for a primed item; `rewrite_box` keeps them current and leaves
# the writing to `store_boxes`, which the paper calls once after its last vote (four statements
# instead of four for each item), and a new round forgets them (`forget_boxes`).
BOXES_READ = "ballot_boxes"


async def prime_boxes(session: AsyncSession, meeting_id: str, nomination_ids: list[str]) -> None:
    query = (
        select(CouncilItem)
        .where(CouncilItem.meeting_id == meeting_id, col(CouncilItem.nomination_id).in_(nomination_ids))
        .order_by(col(CouncilItem.id))
        .with_for_update()
    )
    items = (await session.exec(query)).all()
    ids = [item.id for item in items]
    rounds = (await session.exec(select(BallotRound).where(col(BallotRound.item_id).in_(ids)))).all()
    voters: dict[tuple[int | None, int], list[str]] = {}
    ballots: dict[tuple[int | None, int], list[tuple[str, bool]]] = {}
    cast_by = select(BallotVoter.item_id, BallotVoter.round, BallotVoter.officer_id)
    for item_id, round_, officer in (await session.exec(cast_by.where(col(BallotVoter.item_id).in_(ids)))).all():
        voters.setdefault((item_id, round_), []).append(officer)
    cast = select(BallotVote.item_id, BallotVote.round, BallotVote.receipt_sha256, BallotVote.yes)
    for item_id, round_, receipt, yes in (await session.exec(cast.where(col(BallotVote.item_id).in_(ids)))).all():
        ballots.setdefault((item_id, round_), []).append((receipt, yes))
    read = transaction_memo(session, BOXES_READ)
    read.update(
        primed=set(ids),
        items={(meeting_id, item.nomination_id): item for item in items},
        rounds={(r.item_id, r.round): r for r in rounds},
        voters=voters,
        ballots=ballots,
        unstored={},  # (item, round) → whether the database held rows of that box when it was changed
    )


def forget_boxes(session: AsyncSession) -> None:
    read = transaction_memo(session, BOXES_READ)
    assert not read.get("unstored"), "a paper's votes are stored (store_boxes) before its boxes are forgotten"
    read.clear()


def _primed(session: AsyncSession, item_id: int | None) -> dict[str, Any] | None:
    read = transaction_memo(session, BOXES_READ)
    return read if read and item_id in read["primed"] else None


async def agenda_item(session: AsyncSession, meeting_id: str, nomination_id: str, *, lock: bool = False) -> CouncilItem:
    read = transaction_memo(session, BOXES_READ)
    if read and (meeting_id, nomination_id) in read["items"]:
        primed: CouncilItem = read["items"][meeting_id, nomination_id]
        return primed
    query = select(CouncilItem).where(CouncilItem.meeting_id == meeting_id, CouncilItem.nomination_id == nomination_id)
    item = (await session.exec(query.with_for_update() if lock else query)).first()
    if item is None:
        raise NotFound(f"nomination {nomination_id} is not on the agenda of meeting {meeting_id}")
    return item


def check_voting(item: CouncilItem) -> None:
    if item.state == "second_round_due":
        raise Conflict(
            f"round {item.round} is closed and did not pass; the chair or secretary opens round "
            f"{item.round + 1} (POST .../rounds) before anyone votes again",
        )
    if item.state == "chair_decision_due":
        raise Conflict(f"the ballot failed after {item.round} rounds; the chair decides (POST .../chair-decision)")
    if item.state == "concluded":
        raise Conflict(f"the ballot on this nomination has concluded ({item.outcome})")


async def round_row(session: AsyncSession, item_id: int | None, round_: int) -> BallotRound:
    read = _primed(session, item_id)
    if read is not None and (item_id, round_) in read["rounds"]:
        primed: BallotRound = read["rounds"][item_id, round_]
        return primed
    found = await session.exec(select(BallotRound).where(BallotRound.item_id == item_id, BallotRound.round == round_))
    return found.one()


async def replayed_box(
    session: AsyncSession, council: Council, meeting: CouncilMeeting, item: CouncilItem
) -> tuple[BallotBox, list[str], list[tuple[str, bool]]]:
    """The open round's box as stored: the ballot rules judge the next step against it."""
    current = await round_row(session, item.id, item.round)
    previous = tally_of(await round_row(session, item.id, item.round - 1), council, meeting) if item.round > 1 else None
    roster = await council_roster(session, council)
    box = open_box(
        roster,
        Meeting(council.agency_code, meeting.held_on, item.round, frozenset(current.present)),
        stored_rule(item),
        previous,
    )
    read = _primed(session, item.id)
    if read is not None:
        voters = list(read["voters"].get((item.id, item.round), []))
        ballots = list(read["ballots"].get((item.id, item.round), []))
    else:
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
    session: AsyncSession, item: CouncilItem, voters: list[str], ballots: list[tuple[str, bool]], *, stored: bool
) -> None:
    """Replace both sets, each in its own key order, so that every row of a round shares one
    inserting transaction and a storage position that says nothing about when it was cast.
    `stored`: whether the round's box holds rows now (the first ballot has nothing to delete). For
    a primed item (a paper) the sets are kept, and written with the paper's others by `store_boxes`."""
    key = (flushed_id(item), item.round)
    read = _primed(session, item.id)
    if read is None:
        await _store(session, {key: (voters, ballots, stored)})
        return
    read["voters"][key], read["ballots"][key] = list(voters), list(ballots)
    read["unstored"].setdefault(key, stored)  # the database holds what it held when the box first changed


async def store_boxes(session: AsyncSession) -> None:
    """Write every box the paper's transaction changed (`rewrite_box`), replaced whole."""
    read = transaction_memo(session, BOXES_READ)
    unstored: dict[tuple[int, int], bool] = read.get("unstored", {}) if read else {}
    await _store(session, {key: (read["voters"][key], read["ballots"][key], held) for key, held in unstored.items()})
    unstored.clear()


async def _store(
    session: AsyncSession, boxes: dict[tuple[int, int], tuple[list[str], list[tuple[str, bool]], bool]]
) -> None:
    if not boxes:
        return
    keys = sorted(boxes)
    if held := [key for key in keys if boxes[key][2]]:
        for table in (BallotVoter, BallotVote):
            await session.exec(delete(table).where(tuple_(col(table.item_id), col(table.round)).in_(held)))
    await session.exec(
        insert(BallotVoter),
        params=[
            {"item_id": item_id, "round": round_, "officer_id": officer}
            for item_id, round_ in keys
            for officer in sorted(boxes[item_id, round_][0])
        ],
    )
    await session.exec(
        insert(BallotVote),
        params=[
            {"receipt_sha256": receipt, "item_id": item_id, "round": round_, "yes": yes}
            for item_id, round_ in keys
            for receipt, yes in sorted(boxes[item_id, round_][1])
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
