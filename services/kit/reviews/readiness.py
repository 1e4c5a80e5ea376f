"""What stops an agency from forwarding (proposing upward) a nomination now: its public posting and
its council's conclusion (domain.md §3.4, §4.5, §4.7, §9.2: public_consultation → council_review).

Plain sentences, for the officer who must act on them, and [] when nothing stands in the way. The
council's conclusion is the latest concluded agenda item on the nomination at a meeting of one of
the agency's councils; only this agency's own records count.
"""

from datetime import date
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.consultation.service import consultation_of, held_complaints
from services.kit.councils.models import BallotRound, Council, CouncilItem, CouncilMeeting
from shared.contracts.tiers import Tier
from shared.rules.calendar import default_calendar
from shared.rules.catalog import default_catalog

PROPOSER_POSTS = ("proposer", "proposer_and_central_board")


async def forward_problems(
    session: AsyncSession,
    *,
    nomination_id: str,
    agency_code: str,
    award_code: str,
    is_proposer: bool,
    tier: Tier,
    today: date,
) -> list[str]:
    """Why `agency_code` cannot forward the nomination today, one sentence per problem; [] if it can.

    Central bodies appraise and submit: the Central Council reviews only some titles itself
    (domain.md §4.1), and that review is not a gate on forwarding.
    """
    if tier is Tier.CENTRAL:
        return []
    award = default_catalog().award(award_code)
    posting = award.public_posting
    must_post = is_proposer and posting.required and posting.by in PROPOSER_POSTS
    problems: list[str] = []
    consultation = await consultation_of(session, nomination_id) if must_post else None
    if must_post and consultation is None:
        problems.append(
            f"No public posting (công khai) is recorded: {award.name_vi} must be posted by the proposer "
            f"for {posting.working_days} working days before its council meets."
        )
    if consultation is not None:
        if consultation.closes_on > today:
            problems.append(
                f"The public consultation is open until the end of {consultation.closes_on.isoformat()}; "
                "the nomination can go on once it has closed."
            )
        for complaint in await held_complaints(session, consultation.id):
            problems.append(
                f"A complaint filed on {complaint.filed_on.isoformat()} during the public consultation "
                f"(comment {complaint.id}) holds the nomination and is unanswered: {complaint.hold_reason}"
            )
    concluded = await _concluded(session, nomination_id, agency_code)
    if concluded is None:
        problems.append(f"The council (Hội đồng TĐKT) of {agency_code} has not concluded on this nomination.")
        return problems
    item, meeting = concluded
    if item.award_code != award_code:
        problems.append(f"The council of {agency_code} concluded on {item.award_code}, not on {award_code}.")
    if award.ballot.required and not item.passed:
        problems.append(await _not_passed(session, item, meeting))
    if consultation is not None:
        waited = default_calendar().working_days_between(consultation.posted_on, meeting.held_on)
        if waited < consultation.working_days:
            problems.append(
                f"The council met on {meeting.held_on.isoformat()}, {waited} working days after the "
                f"public posting of {consultation.posted_on.isoformat()}; the posting must come at least "
                f"{consultation.working_days} working days before the council meets."
            )
    return problems


async def council_outcome(session: AsyncSession, nomination_id: str, agency_code: str) -> dict[str, Any] | None:
    """The agency's council's conclusion on the nomination, for display: counts only, no voter."""
    concluded = await _concluded(session, nomination_id, agency_code)
    if concluded is None:
        return None
    item, meeting = concluded
    council = await session.get(Council, meeting.council_id)
    return {
        "council_id": meeting.council_id,
        "council_name": council.name if council else None,
        "meeting_id": meeting.id,
        "held_on": meeting.held_on.isoformat(),
        "award_code": item.award_code,
        "outcome": item.outcome,
        "passed": item.passed,
        "threshold": item.threshold,
        "quorum": item.quorum,
        "chair_reason": item.chair_reason,
        "rounds": await _round_counts(session, item),
    }


async def _concluded(
    session: AsyncSession, nomination_id: str, agency_code: str
) -> tuple[CouncilItem, CouncilMeeting] | None:
    rows = await session.exec(
        select(CouncilItem, CouncilMeeting)
        .join(CouncilMeeting, CouncilMeeting.id == CouncilItem.meeting_id)  # type: ignore[arg-type]
        .where(
            CouncilItem.nomination_id == nomination_id,
            CouncilMeeting.agency_code == agency_code,
            CouncilItem.state == "concluded",
        )
        .order_by(col(CouncilMeeting.held_on).desc(), col(CouncilItem.concluded_at).desc())
    )
    found = rows.first()
    return (found[0], found[1]) if found else None


async def _round_counts(session: AsyncSession, item: CouncilItem) -> list[dict[str, Any]]:
    query = select(BallotRound).where(BallotRound.item_id == item.id).order_by(col(BallotRound.round))
    rows = await session.exec(query)
    return [
        {key: r.tally[key] for key in ("round", "yes", "no", "eligible", "required_yes", "passed")}
        for r in rows.all()
        if r.tally is not None
    ]


async def _not_passed(session: AsyncSession, item: CouncilItem, meeting: CouncilMeeting) -> str:
    held_on = meeting.held_on.isoformat()
    if item.outcome == "chair_refused":
        return (
            f"After the failed ballot rounds of {held_on}, the council's chair decided against the nomination: "
            f"{item.chair_reason}"
        )
    last = (await _round_counts(session, item))[-1]
    return (
        f"The council's secret ballot of {held_on} did not pass: {last['yes']} of {last['eligible']} members "
        f"voted yes, {last['required_yes']} ({item.threshold} of total members) were needed."
    )
