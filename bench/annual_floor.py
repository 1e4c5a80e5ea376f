"""The floor under the annual round: what bare Temporal spends for its workflows, in the same run.

`python -m bench annual` ends with this, on the same Temporal server once the round is over: the
workflows of the annual route's shape with nothing in them, driven as tdkt drives its own, so that
tdkt's CPU per candidate is read beside what Temporal alone costs for it. Two designs:
- **per awardee**, what runs today (decision 0027): one workflow per candidate;
- **per tờ trình**, what decision 0042 proposes: one workflow per tờ trình carrying its candidates'
  ids, each activity and update covering all of them.

The shape is the school's route (the unit forwards, the district confers): a start; an activity for
the submission; at each of the two levels an activity opening the review, an update with the
level's decision (its handler waits until the review is open, as tdkt's validator refuses a
decision before) and an activity recording it; an activity for the conferral. Six activities and
two updates per workflow. The activities do nothing and run in this process; the CPU counted is the
Temporal server's and this process's (the SDK, its worker, the client). Eight starts and updates
are under way at once, as a tdkt service has (`services/kit/workflow_client.py IN_FLIGHT`).
"""

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from bench.report import BENCH, CpuMeter

TASK_QUEUE = "bench-annual-floor"
LEVELS = 2
IN_FLIGHT = 8
TEMPORAL = "temporal dev server"


@activity.defn(name="bench_floor_step")
async def step(ids: list[str]) -> int:
    return len(ids)


@workflow.defn(name="BenchFloorWorkflow")
class FloorWorkflow:
    def __init__(self) -> None:
        self._open = -1  # the level whose review is open
        self._decided = 0  # levels decided

    @workflow.run
    async def run(self, ids: list[str]) -> int:
        await self._step(ids)  # the submission recorded
        for level in range(LEVELS):
            await self._step(ids)  # the level's review opened
            self._open = level
            await workflow.wait_condition(lambda lv=level: self._decided > lv)
            await self._step(ids)  # the decision recorded
        await self._step(ids)  # the conferral
        return len(ids)

    @workflow.update
    async def decide(self, level: int) -> int:
        await workflow.wait_condition(lambda: self._open >= level)
        self._decided = level + 1
        return level

    async def _step(self, ids: list[str]) -> None:
        await workflow.execute_activity(step, ids, start_to_close_timeout=timedelta(seconds=60))


@dataclass
class Floor:
    """One design's run: how many workflows for how many candidates, the wall time and the CPU."""

    design: str
    workflows: int
    candidates: int
    wall_s: float
    temporal_cpu_s: float
    sdk_cpu_s: float

    @property
    def per_candidate(self) -> float:
        return (self.temporal_cpu_s + self.sdk_cpu_s) / max(self.candidates, 1)


async def _drive(client: Client, ids: list[str], turns: asyncio.Semaphore) -> None:
    async with turns:
        handle = await client.start_workflow(
            FloorWorkflow.run, ids, id=f"bench-floor-{uuid.uuid4()}", task_queue=TASK_QUEUE
        )
    for level in range(LEVELS):
        async with turns:
            await handle.execute_update(FloorWorkflow.decide, level)
    await handle.result()


async def run_floor(client: Client, n: int, batch_size: int, meter: CpuMeter) -> list[Floor]:
    """Both designs over `n` candidates, one after the other, each metered on its own."""
    found = []
    async with Worker(client, task_queue=TASK_QUEUE, workflows=[FloorWorkflow], activities=[step]):
        for design, size in (("per awardee", 1), (f"per tờ trình of {batch_size}", batch_size)):
            candidates = [str(i) for i in range(n)]
            groups = [candidates[i : i + size] for i in range(0, n, size)]
            turns = asyncio.Semaphore(IN_FLIGHT)
            before, started = meter.snapshot(), time.perf_counter()
            await asyncio.gather(*(_drive(client, group, turns) for group in groups))
            used = meter.delta(before, meter.snapshot())
            found.append(Floor(design, len(groups), n, time.perf_counter() - started, used[TEMPORAL], used[BENCH]))
    return found
