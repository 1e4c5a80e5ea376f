"""A request that needs Temporal or the worker answers within a bound: 503 with a readable message
when they are away, never a hang or a 500 (real Temporal dev server; a task queue nobody polls
stands for a worker that is down, a closed port for a Temporal server that is)."""

import time
import uuid
from datetime import UTC, date, datetime

import pytest
from temporalio.client import Client

from deploy.embedded import free_port
from services.kit.nominations.models import Review
from services.kit.workflow_client import BOUND_SECONDS, NominationClient
from shared.contracts.nomination import WORKFLOW, workflow_id_for
from shared.contracts.tiers import Tier
from shared.text import fold
from tests.helpers import auth

DISTRICT = "D903"
pytestmark = pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)  # Temporal is the subject here


async def pending_at_the_district(sessions, nomination_id: str) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        session.add(
            Review(
                nomination_id=nomination_id,
                workflow_id=workflow_id_for(nomination_id),
                agency_code=DISTRICT,
                step=1,
                award_code="BANG_KHEN_TINH",
                nominee_name="Nguyễn Thị Lan",
                nominee_search=fold("Nguyễn Thị Lan"),
                proposer_agency="U91-0001",
                route=[{"tier": "unit", "agency_code": "U91-0001"}, {"tier": "district", "agency_code": DISTRICT}],
                opened_at=datetime(2025, 5, 1, tzinfo=UTC),
            )
        )


async def test_a_decision_answers_503_within_ten_seconds_while_no_worker_runs(
    tier_http, temporal_address, temporal_namespace
):
    client = await Client.connect(temporal_address, namespace=temporal_namespace)
    nomination_id = f"away-{uuid.uuid4().hex[:8]}"
    # The workflow exists, but the queue it waits on has no worker: nothing will ever take the update.
    handle = await client.start_workflow(
        WORKFLOW, {}, id=workflow_id_for(nomination_id), task_queue=f"nobody-{nomination_id}"
    )
    try:
        http, sessions = await tier_http(
            Tier.DISTRICT, business_date=date(2025, 5, 15), nominations=NominationClient(client)
        )
        await pending_at_the_district(sessions, nomination_id)
        started = time.monotonic()
        r = await http.post(
            f"/reviews/{nomination_id}/decision",
            headers=auth(DISTRICT, "chair"),
            json={"action": "return", "reason": "Thiếu hồ sơ"},
        )
        took = time.monotonic() - started
        assert r.status_code == 503, r.text
        assert BOUND_SECONDS - 1 < took < 10, f"answered after {took:.1f} s"
        assert "not answering" in r.json()["detail"] and "kiểm tra trạng thái" in r.json()["detail"]
        quick = NominationClient(client, bound=1)  # the query waits on the worker too
        with pytest.raises(Exception, match="not answering") as refused:
            await quick.status(nomination_id)
        assert getattr(refused.value, "status", None) == 503
    finally:
        await handle.terminate("test over")


async def test_a_decision_answers_503_at_once_when_temporal_is_not_there(tier_http):
    gone = await Client.connect(f"127.0.0.1:{free_port()}", lazy=True)  # nothing listens there
    http, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15), nominations=NominationClient(gone))
    await pending_at_the_district(sessions, "n-gone")
    started = time.monotonic()
    r = await http.post(
        "/reviews/n-gone/decision", headers=auth(DISTRICT, "chair"), json={"action": "return", "reason": "Thiếu hồ sơ"}
    )
    assert r.status_code == 503 and "Temporal" in r.json()["detail"], r.text
    assert time.monotonic() - started < 10
    status = await http.get("/nominations/n-gone/status", headers=auth(DISTRICT, "chair"))
    assert status.status_code == 503, status.text
