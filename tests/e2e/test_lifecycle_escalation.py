"""A nomination that sits past its deadline escalates, through HTTP, on a clock that can be skipped.

The whole system (broker, four services, worker) runs against Temporal's time-skipping test
server instead of the dev server, so 40 days pass in seconds. The district's policy at expiry is
escalate_next_level (deadlines.yaml): the item moves to the province with a note.
"""

import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from deploy.embedded import free_port
from shared.contracts.tiers import Tier
from tests.e2e.conftest import RunningSystem, run_system
from tests.helpers import auth, decide, draft_and_submit, eventually, wait_pending

SCHOOL, HON_DAT, KIEN_GIANG = "U91-0001", "D903", "P91"


@pytest.fixture(scope="module")
async def skipping(tmp_path_factory, seeded_databases) -> AsyncIterator[tuple[RunningSystem, WorkflowEnvironment]]:  # type: ignore[no-untyped-def]
    port = free_port()
    env = await WorkflowEnvironment.start_time_skipping(
        port=port, test_server_existing_path=str(Path(sys.executable).parent / "temporal-test-server")
    )
    try:
        async for running in run_system(
            tmp_path_factory.mktemp("skipping"), f"127.0.0.1:{port}", "default", "sqlite", seeded_databases
        ):
            yield running, env
    finally:
        await env.shutdown()


async def test_a_nomination_past_its_deadline_moves_up_with_a_note(skipping):
    system, env = skipping
    unit, district, province = system[Tier.UNIT], system[Tier.DISTRICT], system[Tier.PROVINCE]
    nomination_id = (await draft_and_submit(unit, SCHOOL, "BANG_KHEN_TINH", "Phạm Thị Tám"))["nomination_id"]
    await wait_pending(unit, SCHOOL, nomination_id)
    assert (await decide(unit, SCHOOL, nomination_id, "forward")).status_code == 200
    await wait_pending(district, HON_DAT, nomination_id)

    async def clock_started():  # intake passed and the district's clock runs
        item = await wait_pending(district, HON_DAT, nomination_id)
        return item if item["due_on"] else None

    item = await eventually(clock_started, what="the district's deadline")
    assert item["due_on"] == "2025-06-12"  # 20 working days from 15/05/2025 (30/4 and 1/5 are behind it)

    await env.sleep(timedelta(days=40))  # the district lets its 20 working days pass

    arrived = await wait_pending(province, KIEN_GIANG, nomination_id)
    assert arrived["step"] == 2
    history = (await province.get(f"/nominations/{nomination_id}/history", headers=auth(KIEN_GIANG, "chair"))).json()
    received = [r for r in history if r["action"] == "nomination.received"]
    assert received[-1]["details"]["escalated_from"] == HON_DAT
    at_district = (await district.get(f"/nominations/{nomination_id}/history", headers=auth(HON_DAT, "chair"))).json()
    expired = [r for r in at_district if r["action"] == "deadline.expired"]
    assert len(expired) == 1 and expired[0]["outcome"] == "escalate_next_level"
    assert [r["details"]["share_used"] for r in at_district if r["action"] == "deadline.reminded"] == [0.5, 0.8]
    status = (await unit.get(f"/nominations/{nomination_id}/status", headers=auth(SCHOOL, "clerk"))).json()
    assert status["escalations"] == 1 and status["pending_agency"] == KIEN_GIANG

    async def tracked():
        body = (await unit.get(f"/nominations/{nomination_id}/tracking", headers=auth(SCHOOL, "clerk"))).json()
        return body if any(t["event"] == "nomination.escalated" for t in body["timeline"]) else None

    await eventually(tracked, what="the escalation in the school's tracking view")
    # The district's officers can no longer decide on it; the province can.
    late = await decide(district, HON_DAT, nomination_id, "forward", prepare=False)
    assert late.status_code == 409
    refused = await decide(province, KIEN_GIANG, nomination_id, "refuse", reason="Không đủ điều kiện")
    assert refused.status_code == 200, refused.text
