"""A service's background tasks, supervised: one that raises is logged, counted and run again after
a back-off, instead of dying silently while `/health` still answers ok (decision 0033).

Each task reports its state (running, restarting, stopped), how often it was restarted and its last
error; `/ready` shows them and is not ready while any task is not running.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import structlog
from temporalio.worker import Worker

log = structlog.get_logger()


@dataclass(frozen=True)
class Backoff:
    """Delays between restarts: doubling from `first_s` up to `max_s`; a run that lasted
    `healthy_after_s` counts as healthy, and the next failure starts from `first_s` again."""

    first_s: float = 1.0
    max_s: float = 30.0
    healthy_after_s: float = 60.0

    def delay(self, failures: int) -> float:
        return min(self.max_s, self.first_s * 2 ** (failures - 1))


@dataclass
class Supervised:
    name: str
    run: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]] | None = None  # a graceful stop, where cancelling is not one
    state: str = "starting"
    restarts: int = 0
    last_error: str | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    def report(self) -> dict[str, Any]:
        return {"state": self.state, "restarts": self.restarts, "last_error": self.last_error}


class Supervisor:
    def __init__(self, *, backoff: Backoff | None = None, on_restart: Callable[[str], None] | None = None) -> None:
        self.backoff = backoff or Backoff()
        self._on_restart = on_restart
        self.tasks: dict[str, Supervised] = {}
        self._stopping = False

    def start(
        self, name: str, run: Callable[[], Awaitable[None]], *, stop: Callable[[], Awaitable[None]] | None = None
    ) -> Supervised:
        """Run `run()` until the service stops, again after each failure; `run` is called anew each time."""
        job = Supervised(name, run, stop)
        job.task = asyncio.create_task(self._keep(job), name=name)
        self.tasks[name] = job
        return job

    async def _keep(self, job: Supervised) -> None:
        failures = 0
        while not self._stopping:
            job.state = "running"
            began = time.monotonic()
            try:
                await job.run()
                error = "returned"  # a task that ends on its own has stopped working all the same
            except asyncio.CancelledError:
                job.state = "stopped"
                raise
            except Exception as exc:  # noqa: BLE001 - whatever killed it, it is logged, counted and run again
                error = f"{type(exc).__name__}: {exc}"
            if self._stopping:
                break
            failures = 1 if time.monotonic() - began >= self.backoff.healthy_after_s else failures + 1
            delay = self.backoff.delay(failures)
            job.state, job.last_error = "restarting", error
            job.restarts += 1
            log.error("task.failed", task=job.name, error=error, restart_in_s=delay, restarts=job.restarts)
            if self._on_restart is not None:
                self._on_restart(job.name)
            await asyncio.sleep(delay)
        job.state = "stopped"

    def report(self) -> dict[str, dict[str, Any]]:
        return {name: job.report() for name, job in self.tasks.items()}

    @property
    def all_running(self) -> bool:
        return all(job.state == "running" for job in self.tasks.values())

    async def stop(self) -> None:
        """Stop gracefully where a task has a stop, cancel the others; wait for all."""
        self._stopping = True
        graceful = [job for job in self.tasks.values() if job.stop is not None and job.state == "running"]
        for job in self.tasks.values():
            if job not in graceful and job.task is not None:
                job.task.cancel()
        for job in graceful:
            assert job.stop is not None
            with suppress(Exception):
                await job.stop()
        for job in self.tasks.values():
            if job.task is not None:
                with suppress(asyncio.CancelledError, Exception):
                    await job.task
            job.state = "stopped"


async def temporal_server(client: Any, within_s: float = 1.0) -> str:
    """Whether the Temporal server answers, asked within a bound: readiness must answer promptly."""
    try:
        healthy = await asyncio.wait_for(client.service_client.check_health(), within_s)
    except Exception as err:  # noqa: BLE001 - unreachable, timed out, or no client at all: all said as such
        return f"unreachable: {type(err).__name__}"
    return "ok" if healthy else "unhealthy"


class WorkerRuns:
    """A fresh Temporal worker for every run: a worker runs only once, and one that failed is spent."""

    def __init__(self, make: Callable[[], Worker]) -> None:
        self._make = make
        self.current: Worker | None = None

    async def run(self) -> None:
        self.current = self._make()
        await self.current.run()

    async def shutdown(self) -> None:
        if self.current is not None and self.current.is_running:
            await self.current.shutdown()
