"""Scenario (b): nominations through tdkt's HTTP API only, routed U91-0001 → D903 → P91 → TW-BTDKT → TW-TTG → TW-CTN.

Each nomination is drafted with the proposer's documents, submitted, then decided at every level
by the level's chair (forward, forward, forward, confer). Before a level forwards it does what
the law asks of it (`bench/steps.py`, docs/lifecycle.md): the proposer records its public posting
(the Labour Order is posted for 10 working days), and the unit's, district's and province's
councils each hold a secret ballot; these preparation steps are timed on their own.

A decision's latency runs from sending the accepted decision request until the next level's inbox
shows the item; for the final conferral, until the request returns. It starts after the level's
preparation, so it measures the chair's decision alone. One poller per inbox serves every
nomination in flight, so the polling load does not grow with concurrency; its interval bounds how
precisely an arrival is seen. The measured interval (wall time, CPU) covers the preparation too.
"""

import asyncio
import time
from collections.abc import Callable

import httpx

from bench.report import CpuMeter, ScenarioResult
from bench.steps import RACES, Driver, auth, drive
from deploy.demo_data import ORDER_ROUTE
from shared.contracts.tiers import Tier

AWARD = "HCLD_HANG_BA"
LEVELS = [(Tier(tier), agency) for tier, agency in ORDER_ROUTE]
PROPOSER = LEVELS[0][1]


class Route(Driver):
    """Every nomination along `LEVELS`, each level's chair deciding as soon as the inbox shows it."""

    async def route(self, index: int, nomination_id: str, nominee: str, t0: float) -> None:
        attached = await self.attach(nomination_id, nominee)
        arrival = self.watchers[PROPOSER].expect(nomination_id)
        submitted = time.perf_counter()
        await self._post(
            Tier.UNIT, f"/nominations/{nomination_id}/submit", 202, PROPOSER, "clerk", retry_on=RACES["submit"]
        )
        self.step(f"draft + attach ({1 + attached} HTTP calls)", PROPOSER, submitted - t0)
        arrived = await self._arrival(PROPOSER, nomination_id, arrival)
        self.step("submit → first inbox shows it", PROPOSER, arrived - submitted)

        for level, (tier, agency) in enumerate(LEVELS):
            last = level + 1 == len(LEVELS)
            if not last and await self.prepare(tier, agency, nomination_id, nominee):
                self.step("preparation: inbox shows it → ready to forward", agency, time.perf_counter() - arrived)
            body = (
                {"action": "confer", "decision_no": f"{index}/QĐ-CTN"}
                if last
                else {"action": "forward", "reason": "Đủ điều kiện"}
            )
            next_agency = None if last else LEVELS[level + 1][1]
            next_arrival = self.watchers[next_agency].expect(nomination_id) if next_agency else None
            first, sent, replied = await self.decide(tier, agency, nomination_id, **body)
            self.step("first decision attempt → accepted one (retries)", agency, sent - first)
            self.step("accepted decision HTTP call (update round trip)", agency, replied - sent)
            if next_agency is None or next_arrival is None:
                done = replied
            else:
                done = arrived = await self._arrival(next_agency, nomination_id, next_arrival)
            self.result.decision_ms.append((done - sent) * 1000)
            self.step("per-decision, timed from the first attempt", agency, done - first)


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
    driver = Route(clients, result, limit, poll_interval, AWARD, PROPOSER)
    for tier, agency in LEVELS:
        driver.watch(tier, agency)
    try:
        await driver.start()
        await drive(driver, n, concurrency, meter)
        drained = await _drain(clients[Tier.UNIT], result.completed, limit)
        result.counters["s after the last decision until the unit saw all conferrals"] = (
            round(drained, 2) if drained is not None else -1
        )
    finally:
        await driver.stop_watching()
        for client in clients.values():
            await client.aclose()
    return result
