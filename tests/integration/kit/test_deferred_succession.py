"""A retired agency with business still open when its plan applies is closed when that business ends
(decision 0039): the ReorganizationWorkflow, on a real Temporal dev server, runs the succession
activities of the district, unit and province services (real databases, broker and witnesses).

Hòn Đất (D903) is closed at once; Kiên Lương (D902) has a nomination still pending, so the plan is
applied with D902 deferred (phase `deferred`, the workflow still running). Once that review is
transferred, the next round closes D902's log, its successors at the unit reference its final
cosigned checkpoint, and the workflow ends (`done`) with nothing referenced twice.
"""

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from services.kit.audit.activities import SuccessionActivities
from services.kit.audit.witness import signer_of
from services.kit.nominations.models import Review
from shared.contracts import activities as interfaces
from shared.contracts.reorganization import STATUS_QUERY, WORKFLOW, ReorganizationInput, ReorganizationStatus
from shared.contracts.tiers import NOMINATION_TASK_QUEUE, TIER_ORDER, Tier
from shared.platform.audit import LOG_CLOSED, LOG_SUCCEEDED
from shared.platform.db import transaction
from tests.helpers import eventually
from tests.integration.kit.test_agency_succession import (
    BASIS,
    EFFECTIVE,
    HON_DAT,
    KIEN_LUONG,
    PLAN,
    SUCCESSORS,
    records_of,
    review_at,
    write,
)
from tests.integration.kit.test_witnessed_audit import Node, publish, run_all, start, stop_all
from workflows.reorganization.workflows import ReorganizationWorkflow

# The workflow is the subject; one database kind is enough.
pytestmark = pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)


@contextlib.asynccontextmanager
async def workers(client: Client, nodes: dict[Tier, Node]) -> AsyncIterator[None]:
    """The workflow, and each tier's succession activities (central's on the province's database:
    no agency of the central tier retires)."""
    running = [Worker(client, task_queue=NOMINATION_TASK_QUEUE, workflows=[ReorganizationWorkflow])]
    for tier in TIER_ORDER:
        node = nodes.get(tier, nodes[Tier.PROVINCE])
        hosted = SuccessionActivities(node.sessions, node.relay.wake, tier.value, lambda n=node: signer_of(n.settings))
        running.append(
            Worker(
                client, task_queue=tier.task_queue, activities=interfaces.bound(interfaces.SuccessionActivities, hosted)
            )
        )
    tasks = [asyncio.create_task(w.run()) for w in running]
    try:
        yield
    finally:
        await asyncio.gather(*(w.shutdown() for w in running))
        await asyncio.gather(*tasks, return_exceptions=True)


async def status(handle: WorkflowHandle) -> ReorganizationStatus:
    return await handle.query(STATUS_QUERY, result_type=ReorganizationStatus)


async def test_a_deferred_agency_log_is_closed_when_its_last_business_ends(
    tier_http, tmp_path, kafka_bootstrap, temporal_address, temporal_namespace
):
    running: list = []
    nodes = {
        tier: await start(tier_http, tmp_path, kafka_bootstrap, tier, running)
        for tier in (Tier.DISTRICT, Tier.UNIT, Tier.PROVINCE)
    }
    district, unit = nodes[Tier.DISTRICT], nodes[Tier.UNIT]
    parts = await run_all(running)

    async def sign_checkpoints() -> None:  # what each service's signer does every few seconds
        while True:
            await publish(district)
            await asyncio.sleep(0.5)

    signing = asyncio.create_task(sign_checkpoints())
    temporal = await Client.connect(temporal_address, namespace=temporal_namespace)
    try:
        await write(district, HON_DAT, "decision.forward", "n-hon-dat")
        await write(district, KIEN_LUONG, "decision.forward", "n-kien-luong")
        await review_at(district, KIEN_LUONG, "n-kien-luong")
        async with workers(temporal, nodes):
            # Started where the plan's transfers end: the logs of its retired agencies close.
            handle = await temporal.start_workflow(
                WORKFLOW,
                ReorganizationInput(PLAN, EFFECTIVE, BASIS, EFFECTIVE, phase="closing", recheck_seconds=1),
                id=f"reorganization-{PLAN}-{uuid.uuid4().hex[:8]}",
                task_queue=NOMINATION_TASK_QUEUE,
                result_type=ReorganizationStatus,
            )

            async def applied_with_one_deferred() -> ReorganizationStatus | None:
                now = await status(handle)
                closing = now.succession.get("district", {})
                return now if now.phase == "deferred" and closing.get("referenced") == len(SUCCESSORS) else None

            applied = await eventually(applied_with_one_deferred, within=60, what="D903 closed, D902 deferred")
            district_closing = applied.succession["district"]
            assert district_closing["agencies"] == [HON_DAT] and district_closing["deferred_count"] == 1
            assert "n-kien-luong is still pending" in district_closing["deferred"][KIEN_LUONG]
            await asyncio.sleep(2.5)  # rounds go by while the review is pending: nothing changes
            assert (await status(handle)).phase == "deferred"
            assert await records_of(district, KIEN_LUONG, LOG_CLOSED) == []

            # A person transfers D902's pending nomination to its successor: its last business here ends.
            async with transaction(district.sessions) as session:
                review = (await session.exec(select(Review).where(Review.agency_code == KIEN_LUONG))).one()
                review.status = "transferred"
                session.add(review)
            done = await asyncio.wait_for(handle.result(), timeout=90)
        if os.environ.get("TDKT_RECORD_HISTORIES"):  # for tests/unit/workflows/test_replay.py
            target = Path(__file__).parents[2] / "replay" / "reorganization_deferred_closing_v1.json"
            target.write_text((await handle.fetch_history()).to_json(), encoding="utf-8")

        assert done.phase == "done", done
        closing = done.succession["district"]
        assert closing["agencies"] == [KIEN_LUONG, HON_DAT] and closing["deferred_count"] == 0, closing
        [closed] = await records_of(district, KIEN_LUONG, LOG_CLOSED)
        successors = closed.details["successors"]
        assert successors and closing["referenced"] == len(SUCCESSORS) + len(successors), closing
        assert closing["referenced_through"] == closed.seq and "not_referenced" not in closing
        # Each successor references each predecessor's final checkpoint once (the communes at the unit).
        for predecessor, codes in ((KIEN_LUONG, successors), (HON_DAT, SUCCESSORS)):
            for code in codes:
                found = [r.details["predecessor"] for r in await records_of(unit, code, LOG_SUCCEEDED)]
                assert found.count(predecessor) == 1, (code, found)
    finally:
        signing.cancel()
        await asyncio.gather(signing, return_exceptions=True)
        await stop_all(parts)
