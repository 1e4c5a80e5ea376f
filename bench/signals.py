"""Scenario (d), for comparison with (c): what bare Temporal needs to touch N running workflows
once, a workflow that waits for one signal and ends, signalled N times (worker in this process)."""

import asyncio
import time
import uuid
from collections import Counter

from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

from bench.reorg_flight import gathered
from bench.report import CpuMeter, percentile

SIGNAL_QUEUE = "bench-signal"


@workflow.defn(name="BenchSignalWorkflow", sandboxed=False)
class SignalWorkflow:
    """Waits for one signal and ends: the least work Temporal can do to touch a running workflow."""

    def __init__(self) -> None:
        self._signalled = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self._signalled)

    @workflow.signal
    def poke(self) -> None:
        self._signalled = True


async def run_signals(
    client: Client, n: int, concurrency: int, meter: CpuMeter, errors: Counter
) -> tuple[dict[str, float], dict[str, float]]:
    """N workflows started, then each signalled once; returns the figures and the CPU seconds of
    the signalling alone."""
    ids = [f"bench-signal-{uuid.uuid4()}" for _ in range(n)]
    latencies: list[float] = []

    async def start(wf_id: str) -> None:
        await client.start_workflow(SignalWorkflow.run, id=wf_id, task_queue=SIGNAL_QUEUE)

    async def poke(wf_id: str) -> None:
        handle = client.get_workflow_handle(wf_id)
        sent = time.perf_counter()
        await handle.signal(SignalWorkflow.poke)
        await handle.result()
        latencies.append((time.perf_counter() - sent) * 1000)

    async with Worker(client, task_queue=SIGNAL_QUEUE, workflows=[SignalWorkflow]):
        t0 = time.perf_counter()
        await gathered(ids, 32, start, errors, "start BenchSignalWorkflow")
        started = time.perf_counter() - t0
        await asyncio.sleep(1)  # the first workflow tasks drain: the signals are measured alone
        cpu, t1 = meter.snapshot(), time.perf_counter()
        await gathered(ids, concurrency, poke, errors, "signal + result")
        wall = time.perf_counter() - t1
        used = meter.delta(cpu, meter.snapshot())
    figures = {
        "n": n,
        "concurrency": concurrency,
        "start_s": round(started, 1),
        "starts_per_s": n / started,
        "signal_wall_s": round(wall, 1),
        "signals_per_s": len(latencies) / wall,
        "p50_ms": percentile(latencies, 50) or 0,
        "p99_ms": percentile(latencies, 99) or 0,
    }
    return figures, used
