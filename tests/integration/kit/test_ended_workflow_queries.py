"""A nomination's status when its ended workflow can no longer be replayed (real Temporal server).

A query on an ended workflow is answered by a worker that replays its history. The SDK can fail
that replay with a nondeterminism error though the workflow ran well (seen in the Temporal restart
fault case: an update accepted in the same task as an activity's completion, replayed in another
order; temporalio/sdk-python#1591). The unit's `GET /nominations/{id}/status` then answered 500.

Here the replay fails for the same kind of reason, made on purpose: the workflows ran with one
definition and are queried through a worker with another, which does not start the timer their
histories hold. The port answers from the workflows' results instead, for a nomination alone and
for an awardee of a tờ trình; a running workflow's failed query still fails (nothing stands in
for a live state)."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from temporalio import workflow
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.worker import Worker

from services.kit.workflow_client import NominationClient
from shared.contracts.batch import BATCH_WORKFLOW, MEMBER_STATUS_QUERY, MEMBER_WORKFLOW_QUERY, BatchStatus
from shared.contracts.nomination import STATUS_QUERY, WORKFLOW, NominationStatus, RouteStep, workflow_id_for
from shared.platform.payloads import DATA_CONVERTER
from tests.conftest import fresh_namespace

QUEUE = "ended-queries"
ROUTE = [RouteStep("unit", "U91-0001", False, "proposes"), RouteStep("district", "D903", True, "confers")]


def ended(nomination_id: str) -> NominationStatus:
    return NominationStatus(nomination_id, "conferred", 1, ROUTE, None)


# What the workflows' code is now: they ran waiting a moment on a timer first; "changed", they do not,
# so a worker replaying their histories meets a timer its code never starts.
CODE = {"waits": True}


async def first_a_moment() -> None:
    if CODE["waits"]:
        await workflow.sleep(timedelta(milliseconds=10))


@workflow.defn(name=WORKFLOW, sandboxed=False)
class Alone:
    """A nomination's own workflow under its real name: it ends with its status, or runs on."""

    def __init__(self) -> None:
        self.done: NominationStatus | None = None

    @workflow.run
    async def run(self, nomination_id: str, forever: bool) -> NominationStatus:
        await first_a_moment()
        self.done = ended(nomination_id)
        if forever:
            await workflow.wait_condition(lambda: False)
        return self.done

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> NominationStatus | None:
        return self.done


@workflow.defn(name=BATCH_WORKFLOW, sandboxed=False)
class Together:
    """A tờ trình's workflow under its real name: its first awardee decided in it, the second split off."""

    def __init__(self) -> None:
        self.done: BatchStatus | None = None

    @workflow.run
    async def run(self, ids: list[str]) -> BatchStatus:
        await first_a_moment()
        split_off = {ids[1]: workflow_id_for(ids[1])}
        self.done = BatchStatus("5/TTr-THSS", 1, "ended", [ended(n) for n in ids], split_off)
        return self.done

    @workflow.query(name=MEMBER_WORKFLOW_QUERY)
    def member_workflow(self, nomination_id: str) -> str | None:
        return self.done.workflow_of(nomination_id, workflow.info().workflow_id) if self.done else None

    @workflow.query(name=MEMBER_STATUS_QUERY)
    def member_status(self, nomination_id: str) -> NominationStatus | None:
        return self.done.member(nomination_id) if self.done else None


@asynccontextmanager
async def worker(client: Client, *, waits: bool) -> AsyncIterator[None]:
    """A worker that keeps no workflow in memory: every query replays a history."""
    CODE["waits"] = waits
    try:
        async with Worker(client, task_queue=QUEUE, workflows=[Alone, Together], max_cached_workflows=0):
            yield
    finally:
        CODE["waits"] = True


@pytest.fixture
async def client(temporal_address: str) -> Client:
    return await Client.connect(temporal_address, namespace=fresh_namespace(), data_converter=DATA_CONVERTER)


async def test_an_ended_workflow_whose_replay_fails_answers_from_its_result(client: Client) -> None:
    alone, first, split, running = (str(uuid.uuid4()) for _ in range(4))
    batch_id = f"batch-U91-0001-5/TTr-THSS-{uuid.uuid4().hex[:12]}"
    port = NominationClient(client, locate=lambda ids: _located(ids, {first: batch_id, split: batch_id}))
    async with worker(client, waits=True):
        await client.execute_workflow(WORKFLOW, args=[alone, False], id=workflow_id_for(alone), task_queue=QUEUE)
        await client.execute_workflow(BATCH_WORKFLOW, [first, split], id=batch_id, task_queue=QUEUE)
        await client.execute_workflow(WORKFLOW, args=[split, False], id=workflow_id_for(split), task_queue=QUEUE)
        await client.start_workflow(WORKFLOW, args=[running, True], id=workflow_id_for(running), task_queue=QUEUE)
        assert (await port.status(alone)).state == "conferred"  # a replay that works: the query answers

    async with worker(client, waits=False):  # the same names, histories it cannot replay
        with pytest.raises(WorkflowQueryFailedError, match="[Nn]ondeterminism"):
            await client.get_workflow_handle(workflow_id_for(alone)).query(STATUS_QUERY)
        assert await port.status(alone) == ended(alone)
        assert await port.status(first) == ended(first)  # an awardee decided in its tờ trình's workflow
        assert await port.status(split) == ended(split)  # one that went on in its own
        with pytest.raises(WorkflowQueryFailedError):  # running: no result stands in for its state
            await port.status(running)
    await client.get_workflow_handle(workflow_id_for(running)).terminate()


async def _located(ids: list[str], batches: dict[str, str]) -> dict[str, str]:
    return {n: batches[n] for n in ids if n in batches}
