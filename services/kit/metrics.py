"""Prometheus metrics at `/metrics` (prometheus-client), and a request id on every HTTP request.

Per request: counts by method, route template and status, and latency. At each scrape, from the
service's own database (so restarts lose nothing): decisions taken by action and outcome (the audit
records), deadline escalations, the outbox's unpublished events; from the running process: records
the event consumer has yet to read per topic, and events it dead-lettered since it started. A
service served by several processes shows their sum (decision 0047).

The request id (`X-Request-ID`, taken from the caller when it sends a sane one, else made here) is in
every log line of the request, in the response's header, and the correlation id of every event the
request's transaction publishes.
"""

import asyncio
import re
import time
import uuid
from collections import Counter as Counter_
from collections.abc import Awaitable, Callable
from typing import Any, Final, Literal

import structlog
from fastapi import Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.platform.audit import AuditRecord
from shared.platform.checkpoints import AuditAlarm
from shared.platform.logs import REQUEST_ID
from shared.platform.outbox import OutboxEvent
from shared.platform.processes import shared_dir

SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


# A service served by several processes (decision 0047): the library keeps each process's values in
# the shared directory and the page adds them up: counts and histograms summed; what a process sees
# of itself (its consumer's lag, its tasks) summed over the live processes; what each reads from
# the common database, the most recent reading.
Mode = Literal["livesum", "mostrecent"]
OWN: Final[Mode] = "livesum"
COMMON: Final[Mode] = "mostrecent"
REFRESH_SECONDS = 5.0  # how often each of several processes refreshes what the page shows of it


class AuditTally:
    """Decisions by action and outcome, and deadline escalations, in the audit log: counted once,
    then only the records appended since (the log is append-only and its sequence numbers grow in
    commit order, decision 0046), so that a refresh every few seconds does not read a log of
    millions of records each time."""

    def __init__(self) -> None:
        self.decisions: Counter_[tuple[str, str]] = Counter_()
        self.escalations = 0
        self.counted_to = 0  # the highest sequence number counted

    async def add_new(self, session: AsyncSession) -> None:
        newest = (await session.exec(select(func.max(AuditRecord.seq)))).one() or 0
        if newest <= self.counted_to:
            return
        new = col(AuditRecord.seq) > self.counted_to, col(AuditRecord.seq) <= newest
        rows = await session.exec(
            select(AuditRecord.action, AuditRecord.outcome, func.count())
            .where(*new, col(AuditRecord.action).startswith("decision."))
            .group_by(col(AuditRecord.action), col(AuditRecord.outcome))
        )
        for action, outcome, count in rows.all():
            self.decisions[(action.removeprefix("decision."), outcome)] += count
        escalated = (
            select(func.count()).select_from(AuditRecord).where(*new, col(AuditRecord.action).contains("escalat"))
        )
        self.escalations += (await session.exec(escalated)).one()
        self.counted_to = newest


class Metrics:
    """One registry per app: in-process tests build many apps in one interpreter."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._tally = AuditTally()
        self.requests = Counter(
            "tdkt_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "tdkt_http_request_seconds", "Time to answer an HTTP request", ["method", "route"], registry=self.registry
        )
        self.decisions = self._gauge("tdkt_decisions", "Decisions recorded here, by action and outcome", "action",
                                     "outcome")  # fmt: skip
        self.escalations = self._gauge("tdkt_deadline_escalations", "Deadlines expired and escalated here")
        self.outbox_backlog = self._gauge("tdkt_outbox_backlog", "Events committed, not yet published")
        self.consumer_lag = self._gauge("tdkt_consumer_lag", "Records not yet consumed", "topic", mode=OWN)
        self.dead_letters = self._gauge("tdkt_dead_letters", "Events dead-lettered since the service started", mode=OWN)
        self.task_restarts = Counter(
            "tdkt_task_restarts", "Background tasks restarted after they failed", ["task"], registry=self.registry
        )
        self.task_up = self._gauge("tdkt_task_up", "Processes where a background task runs", "task", mode=OWN)
        self.audit_alarms = self._gauge("tdkt_audit_alarms", "Checkpoints this witness refused, by origin", "origin")

    def _gauge(self, name: str, documentation: str, *labels: str, mode: Mode = COMMON) -> Gauge:
        """A gauge of this app's registry; with several processes, `mode` says how their values add up."""
        return Gauge(name, documentation, list(labels), registry=self.registry, multiprocess_mode=mode)

    async def refresh(self, kit: Any) -> dict[str, Any]:
        """The values a scrape reads from the database and the running consumer (also returned,
        for the readiness answer)."""
        state: dict[str, Any] = {"consumer_lag": {}, "dead_letters": None}
        async with kit.sessions() as session:
            await self._tally.add_new(session)
            for (action, outcome), count in self._tally.decisions.items():
                self.decisions.labels(action, outcome).set(count)
            self.escalations.set(self._tally.escalations)
            backlog = select(func.count()).select_from(OutboxEvent).where(col(OutboxEvent.published_at).is_(None))
            state["outbox_backlog"] = (await session.exec(backlog)).one()
            self.outbox_backlog.set(state["outbox_backlog"])
            alarms = select(AuditAlarm.origin, func.count()).group_by(col(AuditAlarm.origin))
            for origin, count in (await session.exec(alarms)).all():
                self.audit_alarms.labels(origin).set(count)
        events = getattr(kit, "events", None)
        if events is not None:
            try:  # the broker's answer, not the database's: a broker away is said as such
                state["consumer_lag"], state["broker"] = await events.lag(), "ok"
            except Exception as err:  # noqa: BLE001 - whatever the broker says, the scrape still answers
                state["broker"] = f"unavailable: {type(err).__name__}"
            for topic, behind in state["consumer_lag"].items():
                self.consumer_lag.labels(topic).set(behind)
            state["dead_letters"] = events.dead_lettered
            self.dead_letters.set(events.dead_lettered)
        supervisor = getattr(kit, "supervisor", None)
        if supervisor is not None:
            for name, job in supervisor.tasks.items():
                self.task_up.labels(name).set(1 if job.state == "running" else 0)
        return state

    def task_restarted(self, task: str) -> None:
        self.task_restarts.labels(task).inc()

    async def keep_fresh(self, kit: Any) -> None:
        """One of several processes: refresh what the page shows of this one, whichever answers."""
        while True:
            await self.refresh(kit)
            await asyncio.sleep(REFRESH_SECONDS)

    def page(self) -> Response:
        registry = self.registry
        if shared_dir() is not None:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def route_of(request: Request) -> str:
    """The route's template (`/nominations/{nomination_id}`), never the ids in the address."""
    route = request.scope.get("route")
    return getattr(route, "path", "unmatched")


def middleware(metrics: Metrics) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    async def measure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        sent = request.headers.get("x-request-id", "")
        request_id = sent if SANE_ID.match(sent) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            with structlog.contextvars.bound_contextvars(request_id=request_id):
                response = await call_next(request)
        finally:
            REQUEST_ID.reset(token)
        route = route_of(request)
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.latency.labels(request.method, route).observe(time.perf_counter() - started)
        response.headers["X-Request-ID"] = request_id
        return response

    return measure
