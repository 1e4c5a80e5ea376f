"""Scenario (b): nominations through tdkt's HTTP API only, routed U91-0001 → D903 → P91 → TW-BTDKT → TW-TTG → TW-CTN.

Each nomination is drafted, given its tờ trình, submitted, then decided at every level by the
level's chair (forward, forward, forward, confer). A decision's latency runs from sending the
decision request until the next level's inbox shows the item; for the final conferral, until the
request returns. One poller per inbox serves every nomination in flight, so the polling load does
not grow with concurrency; its interval bounds how precisely an arrival is seen.
"""

import asyncio
import base64
import hashlib
import time
from collections.abc import Callable

import httpx

from bench.report import CpuMeter, ScenarioResult, error_key
from deploy.demo_data import ORDER_ROUTE, demo_token
from shared.contracts.tiers import Tier

AWARD = "HCLD_HANG_BA"
LEVELS = [(Tier(tier), agency) for tier, agency in ORDER_ROUTE]
PROPOSER = LEVELS[0][1]
# Rejections that only mean "too early" and are retried (counted, with their exact text):
# a write acknowledged before its transaction committed, or a decision sent after the item showed
# in the inbox but before the workflow marked the level pending.
RETRY_INTERVAL = 0.05
RACES = {
    "documents": ((404, "no nomination"),),
    "submit": ((422, "attach at least"),),
    "decision": ((409, "is not awaiting a decision"),),
}


def auth(agency: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_token(agency, role)}"}


def _document() -> dict[str, str]:
    content = "Tờ trình đề nghị khen thưởng (benchmark)".encode()
    return {
        "kind": "to_trinh",
        "filename": "to_trinh.txt",
        "content_type": "text/plain",
        "content_base64": base64.b64encode(content).decode(),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


class InboxWatcher:
    """Polls one agency's inbox; resolves, for each expected nomination, when it first appears."""

    def __init__(self, client: httpx.AsyncClient, agency: str, interval: float, result: ScenarioResult) -> None:
        self.client, self.agency, self.interval, self.result = client, agency, interval, result
        self._waiting: dict[str, asyncio.Future] = {}

    def expect(self, nomination_id: str) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._waiting[nomination_id] = future
        return future

    def forget(self, nomination_id: str) -> None:
        self._waiting.pop(nomination_id, None)

    async def run(self) -> None:
        polls = f"inbox polls at {self.agency}"
        what = f"GET /inbox at {self.agency}"
        while True:
            if self._waiting:
                try:
                    r = await self.client.get("/inbox", headers=auth(self.agency, "chair"))
                    seen = time.perf_counter()
                    self.result.counters[polls] = self.result.counters.get(polls, 0) + 1
                    if r.status_code != 200:
                        self.result.errors[error_key(f"{what}: {r.status_code} {r.text}")] += 1
                    else:
                        for item in r.json():
                            future = self._waiting.pop(item["nomination_id"], None)
                            if future is not None and not future.done():
                                future.set_result(seen)
                except httpx.HTTPError as err:
                    self.result.errors[error_key(f"{what}: {type(err).__name__}: {err}")] += 1
            await asyncio.sleep(self.interval)


class Failed(Exception):
    pass


class Driver:
    def __init__(
        self,
        clients: dict[Tier, httpx.AsyncClient],
        watchers: dict[str, InboxWatcher],
        result: ScenarioResult,
        limit: float,
    ) -> None:
        self.clients, self.watchers, self.result, self.limit = clients, watchers, result, limit

    def _error(self, text: str) -> None:
        self.result.errors[error_key(text)] += 1

    async def _post(
        self,
        tier: Tier,
        path: str,
        expect: int,
        agency: str,
        role: str,
        retry_on: tuple[tuple[int, str], ...] = (),
        **kwargs,
    ) -> tuple[dict, float]:  # type: ignore[no-untyped-def]
        """POST; retry (counted, with the exact text) only the named transient rejections.

        Returns the response body and when the accepted attempt was sent."""
        deadline = time.perf_counter() + self.limit
        what = f"POST {path} at {agency}"
        while True:
            sent = time.perf_counter()
            try:
                r = await self.clients[tier].post(path, headers=auth(agency, role), **kwargs)
            except httpx.HTTPError as err:
                self._error(f"{what}: {type(err).__name__}: {err}")
                raise Failed from err
            if r.status_code == expect:
                return r.json(), sent
            text = f"{what}: {r.status_code} {r.text}"
            transient = any(r.status_code == code and part in r.text for code, part in retry_on)
            if not transient or time.perf_counter() > deadline:
                self._error(text)
                raise Failed
            self.result.retried[error_key(text)] += 1
            await asyncio.sleep(RETRY_INTERVAL)

    async def _arrival(self, agency: str, nomination_id: str, future: asyncio.Future) -> float:
        try:
            return await asyncio.wait_for(future, self.limit)
        except TimeoutError:
            self.watchers[agency].forget(nomination_id)
            self._error(f"no item in {agency}'s inbox within {self.limit:.0f}s")
            raise Failed from None

    async def nomination(self, index: int) -> None:
        t0 = time.perf_counter()
        draft, _ = await self._post(
            LEVELS[0][0],
            "/nominations",
            201,
            PROPOSER,
            "clerk",
            json={
                "nominee_name": f"Nguyễn Văn Bench {index:05d}",
                "award_code": AWARD,
                "reason": "Thành tích xuất sắc (benchmark)",
            },
        )
        nomination_id = draft["id"]
        try:
            await self._route(index, nomination_id, t0)
        except Failed:
            for watcher in self.watchers.values():
                watcher.forget(nomination_id)
            raise
        self.result.completed += 1

    async def _route(self, index: int, nomination_id: str, t0: float) -> None:
        unit = LEVELS[0][0]
        await self._post(
            unit,
            f"/nominations/{nomination_id}/documents",
            201,
            PROPOSER,
            "clerk",
            retry_on=RACES["documents"],
            json=_document(),
        )
        arrival = self.watchers[PROPOSER].expect(nomination_id)
        submitted = time.perf_counter()
        await self._post(unit, f"/nominations/{nomination_id}/submit", 202, PROPOSER, "clerk", retry_on=RACES["submit"])
        self._time("draft + attach (2 HTTP calls)", submitted - t0)
        arrived = await self._arrival(PROPOSER, nomination_id, arrival)
        self._time("submit → first inbox shows it", arrived - submitted)

        for level, (tier, agency) in enumerate(LEVELS):
            last = level + 1 == len(LEVELS)
            body = (
                {"action": "confer", "decision_no": f"{index}/QĐ-CTN"}
                if last
                else {"action": "forward", "reason": "Đủ điều kiện"}
            )
            next_agency = None if last else LEVELS[level + 1][1]
            next_arrival = self.watchers[next_agency].expect(nomination_id) if next_agency else None
            first = time.perf_counter()
            _, sent = await self._post(
                tier, f"/reviews/{nomination_id}/decision", 200, agency, "chair", retry_on=RACES["decision"], json=body
            )
            replied = time.perf_counter()
            self._time("inbox shows it → decision accepted (retrying)", sent - arrived)
            self._time("accepted decision HTTP call (update round trip)", replied - sent)
            if next_agency is None or next_arrival is None:
                done = replied
            else:
                done = arrived = await self._arrival(next_agency, nomination_id, next_arrival)
            self.result.decision_ms.append((done - sent) * 1000)
            self._time("per-decision, timed from the first attempt", done - first)

    def _time(self, key: str, seconds: float) -> None:
        self.result.other_ms.setdefault(key, []).append(seconds * 1000)


async def _drain(unit: httpx.AsyncClient, expected: int, limit: float) -> float | None:
    """Seconds until the proposer sees every conferral (decision → Kafka → unit's read model)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        r = await unit.get("/nominations", headers=auth(PROPOSER, "clerk"))
        if r.status_code == 200 and sum(n["status"] == "conferred" for n in r.json()) >= expected:
            return time.perf_counter() - started
        await asyncio.sleep(0.25)
    return None


async def run_tdkt(
    url: Callable[[Tier], str],
    n: int,
    concurrency: int,
    meter: CpuMeter,
    poll_interval: float = 0.05,
    limit: float = 60,
) -> ScenarioResult:
    """`limit`: seconds one step may take before the nomination counts as failed."""
    result = ScenarioResult("tdkt via HTTP", "nomination", n, concurrency)
    pool = httpx.Limits(max_connections=concurrency + 8, max_keepalive_connections=concurrency + 8)
    clients = {t: httpx.AsyncClient(base_url=url(t), timeout=limit, limits=pool) for t, _ in LEVELS}
    watchers = {a: InboxWatcher(clients[t], a, poll_interval, result) for t, a in LEVELS}
    driver = Driver(clients, watchers, result, limit)
    gate = asyncio.Semaphore(concurrency)

    async def bounded(index: int) -> None:
        async with gate:
            try:
                await driver.nomination(index)
            except Failed:
                result.failed += 1

    pollers = [asyncio.create_task(w.run(), name=f"inbox-{a}") for a, w in watchers.items()]
    try:
        cpu = meter.snapshot()
        started = time.perf_counter()
        await asyncio.gather(*(bounded(i) for i in range(n)))
        result.wall_s = time.perf_counter() - started
        result.cpu_s = meter.delta(cpu, meter.snapshot())
        drained = await _drain(clients[Tier.UNIT], result.completed, limit)
        result.counters["s after the last decision until the unit saw all conferrals"] = (
            round(drained, 2) if drained is not None else -1
        )
    finally:
        for task in pollers:
            task.cancel()
        await asyncio.gather(*pollers, return_exceptions=True)
        for client in clients.values():
            await client.aclose()
    return result
