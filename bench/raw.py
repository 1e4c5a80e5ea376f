"""Scenario (a): the ceiling of bare Temporal for the shape of a 6-level route.

A workflow runs a trivial activity per level ("the item reaches the level's inbox") and then
waits for a signal ("the chair decides"). The activity runs in this process, so the client learns
the instant it has run and signals at once; the signal → next-activity-done time is what tdkt's
decision → next-inbox time is compared with. The last signal is timed until the workflow's result.
"""

import asyncio
import time
import uuid
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from bench.report import CpuMeter, ScenarioResult, error_key

TASK_QUEUE = "bench-raw"
LEVELS = 6  # the route of a Labour Order from a school before 2025 (deploy.demo_data.ORDER_ROUTE)

# (workflow id, level) → future resolved when that level's activity has run. Outside the sandbox.
_reached: dict[tuple[str, int], asyncio.Future] = {}


@activity.defn(name="bench_reach_level")
async def reach_level(workflow_id: str, level: int) -> None:
    future = _reached.get((workflow_id, level))
    if future is not None and not future.done():
        future.set_result(time.perf_counter())


@workflow.defn(name="BenchRouteWorkflow")
class RouteWorkflow:
    def __init__(self) -> None:
        self._decisions = 0

    @workflow.run
    async def run(self, levels: int) -> int:
        for level in range(levels):
            await workflow.execute_activity(
                "bench_reach_level",
                args=[workflow.info().workflow_id, level],
                start_to_close_timeout=timedelta(seconds=30),
            )
            await workflow.wait_condition(lambda lvl=level: self._decisions > lvl)
        return self._decisions

    @workflow.signal
    def decide(self) -> None:
        self._decisions += 1


async def _one(client: Client, result: ScenarioResult, limit: float) -> None:
    wf_id = f"bench-raw-{uuid.uuid4()}"
    loop = asyncio.get_running_loop()
    futures = {level: loop.create_future() for level in range(LEVELS)}
    for level, future in futures.items():
        _reached[(wf_id, level)] = future
    decisions: list[float] = []
    try:
        t0 = time.perf_counter()
        handle = await client.start_workflow(RouteWorkflow.run, LEVELS, id=wf_id, task_queue=TASK_QUEUE)
        reached = await asyncio.wait_for(futures[0], limit)
        result.other_ms.setdefault("start → first activity done", []).append((reached - t0) * 1000)
        for level in range(LEVELS):
            sent = time.perf_counter()
            await handle.signal(RouteWorkflow.decide)
            if level + 1 < LEVELS:
                done = await asyncio.wait_for(futures[level + 1], limit)
            else:
                await asyncio.wait_for(handle.result(), limit)
                done = time.perf_counter()
            decisions.append((done - sent) * 1000)
        result.decision_ms += decisions
        result.completed += 1
    except Exception as err:  # noqa: BLE001 - every failure is counted and shown, not hidden
        result.failed += 1
        result.errors[error_key(f"{type(err).__name__}: {err}")] += 1
    finally:
        for level in range(LEVELS):
            _reached.pop((wf_id, level), None)


async def run_raw(client: Client, n: int, concurrency: int, meter: CpuMeter, limit: float = 60) -> ScenarioResult:
    """`limit`: seconds one step may take before the workflow counts as failed."""
    result = ScenarioResult("raw Temporal", "workflow", n, concurrency)
    gate = asyncio.Semaphore(concurrency)

    async def bounded() -> None:
        async with gate:
            await _one(client, result, limit)

    worker = Worker(client, task_queue=TASK_QUEUE, workflows=[RouteWorkflow], activities=[reach_level])
    async with worker:
        cpu = meter.snapshot()
        started = time.perf_counter()
        await asyncio.gather(*(bounded() for _ in range(n)))
        result.wall_s = time.perf_counter() - started
        result.cpu_s = meter.delta(cpu, meter.snapshot())
    return result
