"""A level that confers what it proposed itself (a province's flag for the leader of a khối it
organises, a school's CSTĐCS) has no council below it on record: its own council must have
concluded, by the ballot the award requires, before the conferral. What a lower level proposed and
forwarded is conferred as before (its council voted before it forwarded). SQLite only."""

import uuid
from datetime import UTC, datetime

import pytest

from services.kit.errors import Invalid
from services.kit.identity.service import Caller
from services.kit.nominations.activities import NominationActivities
from services.kit.reviews.service import prepare_decision
from shared.contracts.nomination import NominationInput, OpenReviewArgs, RouteStep
from shared.contracts.tiers import Tier
from tests.integration.kit.test_councils import AGENCY, CHAIR, DAY, close, draft, make_council, meet, vote_all

pytestmark = pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)
AWARD = "CSTD_CO_SO"  # a secret ballot of 80 % of the council's members (catalog)
CALLER = Caller(officer_id=f"{AGENCY}:chair", name="Trần Văn Minh", agency_code=AGENCY, role="chair")


async def pending_here(sessions, nomination_id: str, proposer: str) -> None:  # type: ignore[no-untyped-def]
    """The nomination pending at the school, which confers it; proposed by `proposer`."""
    steps = [RouteStep("unit", AGENCY, confers=True, role="confers")]
    if proposer != AGENCY:
        steps.insert(0, RouteStep("unit", proposer, role="proposes"))
    nomination = NominationInput(
        nomination_id=nomination_id, award_code=AWARD, nominee_name="Nguyễn Thị Lan", proposer_agency=proposer,
        submitted_by=f"{proposer}:clerk", submitted_at=datetime.now(UTC).isoformat(), regime="ND152", route=steps,
        nominee_kind="individual", period_year=2025,
    )  # fmt: skip
    step = len(steps) - 1
    activities = NominationActivities(sessions, on_commit=lambda: None, tier="unit")
    await activities.open_review(
        OpenReviewArgs(nomination, f"nomination-{nomination_id}", step, 1, f"open:{nomination_id}")
    )


async def confer(sessions, nomination_id: str) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        await prepare_decision(
            session, caller=CALLER, nomination_id=nomination_id, tier=Tier.UNIT, today=DAY, action="confer",
            decision_no="5/QĐ-THSS",
        )  # fmt: skip


async def test_a_level_confers_its_own_proposal_only_after_its_councils_ballot_passed(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    council_id = await make_council(client, sessions, 10)
    own = await draft(client, AWARD)
    await pending_here(sessions, own, AGENCY)

    with pytest.raises(Invalid) as refused:
        await confer(sessions, own)
    assert refused.value.kind == "NotReadyToConfer" and "has not concluded" in str(refused.value.detail)
    assert refused.value.vi and "Hội đồng Thi đua - Khen thưởng" in refused.value.vi

    members = list(range(1, 11))
    meeting_id = await meet(client, council_id, own, AWARD, present=members)
    await vote_all(client, meeting_id, own, 7, members)  # 7 of 10: under 80 % of all members
    assert (await close(client, meeting_id, own))["passed"] is False
    with pytest.raises(Invalid) as failed:  # a second round, or the chair, is still to come
        await confer(sessions, own)
    assert failed.value.kind == "NotReadyToConfer"

    opened = await client.post(f"/meetings/{meeting_id}/items/{own}/rounds", headers=CHAIR, json={})
    assert opened.status_code == 201, opened.text
    await vote_all(client, meeting_id, own, 8, members)
    assert (await close(client, meeting_id, own))["passed"] is True
    await confer(sessions, own)  # nothing stands in the way now


async def test_what_a_lower_level_forwarded_is_conferred_without_a_council_here(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    forwarded = str(uuid.uuid4())
    await pending_here(sessions, forwarded, "U91-0003")
    await confer(sessions, forwarded)
