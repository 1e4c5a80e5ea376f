"""Scenario (e): the realistic life of N nominations, through the HTTP API only (issue 4).

`BANG_KHEN_TINH` from the demo school U91-0001 on 2025-05-15: U91-0001 → D903 → P91 (confers),
the route as each submit answers it. Per nomination: draft, the proposer's documents, submit;
at each level that forwards, its council's secret ballot (meeting, each member's vote with their
own token, round closed; `bench/steps.py`, shared with (b)) and the chair's forward; a share
(`--return-share`) returned once by the first receiving level, supplemented and resubmitted; the
conferral; until the unit's own view shows it. Each step is timed; the checks after the run (all
must be 0) cover conferrals, workflow states, inboxes left pending and the audit chains of the
four tiers (`bench/lifecycle_result.py`). See docs/performance.md.
"""

import argparse
import asyncio
import time
from collections.abc import Callable

import httpx

from bench.lifecycle_result import (
    DECISION,
    END_TO_END,
    FORWARD,
    INTAKE,
    RESUBMIT,
    RESUBMIT_PENDING,
    RETURN,
    RETURN_SEEN,
    SUBMIT,
    VISIBLE,
    LifecycleResult,
    check,
)
from bench.report import CpuMeter
from bench.runtime import Runtime
from bench.steps import RACES, Driver, Failed, auth, connection_pool, document, drive
from shared.contracts.tiers import TIER_ORDER, Tier

AWARD = "BANG_KHEN_TINH"
PROPOSER = "U91-0001"
# The unit can show a nomination returned (the returning level's event) before the workflow has
# left the decision it recorded: a resubmission then is refused; retried, counted with its text.
RESUBMIT_RACE = ((409, "can be resubmitted (it is recording)"),)


def returned_indices(n: int, share: float) -> set[int]:
    """floor(n × share) indices spread evenly over the run (with 0.1: 9, 19, 29...)."""
    return {i for i in range(n) if int((i + 1) * share) > int(i * share)}


class Lifecycle(Driver):
    """Drives one nomination at a time through the route its submit answers."""

    def __init__(
        self,
        clients: dict[Tier, httpx.AsyncClient],
        result: LifecycleResult,
        limit: float,
        poll: float,
        view_poll: float,
        returns: set[int],
    ) -> None:
        super().__init__(clients, result, limit, poll, AWARD, PROPOSER)
        self.life, self.view_poll, self.returns = result, view_poll, returns

    def step(self, step: str, agency: str, seconds: float) -> None:
        self.life.steps.setdefault((step, agency), []).append(seconds * 1000)

    async def route(self, index: int, nomination_id: str, nominee: str, t0: float) -> None:
        await self.attach(nomination_id, nominee)
        arrival = self.watchers[PROPOSER].expect(nomination_id)
        submitted, _ = await self._post(
            Tier.UNIT, f"/nominations/{nomination_id}/submit", 202, PROPOSER, "clerk", retry_on=RACES["submit"]
        )
        route = [(Tier(s["tier"]), s["agency_code"], bool(s["confers"])) for s in submitted["route"]]
        for tier, agency, _ in route:
            self.watch(tier, agency)
        self.life.route = self.life.route or submitted["route"]
        if submitted["route"] != self.life.route:
            self._error(f"route {[a for _, a, _ in route]} differs from the first nomination's")
        self.step(SUBMIT, "", time.perf_counter() - t0)
        accepted = time.perf_counter()
        arrived = await self._arrival(PROPOSER, nomination_id, arrival)
        self.step(INTAKE, PROPOSER, arrived - accepted)

        for level, (tier, agency, confers) in enumerate(route):
            if level == 1 and index in self.returns:
                await self._return_once(tier, agency, nomination_id)
            if confers or level + 1 == len(route):
                sent, _, decided = await self.decide(
                    tier, agency, nomination_id, action="confer", decision_no=f"{index + 1}/QĐ-UBND"
                )
                self.step(DECISION, agency, decided - sent)
                shown = await self._unit_shows(nomination_id, "conferred")
                self.step(VISIBLE, "", shown - decided)
                self.step(END_TO_END, "", shown - t0)
                return
            await self.prepare(tier, agency, nomination_id, nominee)
            next_agency = route[level + 1][1]
            arrival = self.watchers[next_agency].expect(nomination_id)
            sent, _, forwarded = await self.decide(tier, agency, nomination_id, action="forward", reason="Đủ điều kiện")
            self.step(FORWARD, agency, forwarded - sent)
            arrived = await self._arrival(next_agency, nomination_id, arrival)
            self.step(INTAKE, next_agency, arrived - forwarded)

    async def _return_once(self, tier: Tier, agency: str, nomination_id: str) -> None:
        sent, _, returned = await self.decide(
            tier, agency, nomination_id, action="return", reason="Đề nghị bổ sung số liệu trong báo cáo thành tích"
        )
        self.life.returned += 1
        self.step(RETURN, agency, returned - sent)
        seen = await self._unit_shows(nomination_id, "returned")
        self.step(RETURN_SEEN, "", seen - returned)
        arrival = self.watchers[agency].expect(nomination_id)
        await self._post(
            Tier.UNIT,
            f"/nominations/{nomination_id}/documents",
            201,
            PROPOSER,
            "clerk",
            json=document("bao_cao_thanh_tich", f"Báo cáo bổ sung: {nomination_id}"),
        )
        await self._post(
            Tier.UNIT,
            f"/nominations/{nomination_id}/resubmit",
            200,
            PROPOSER,
            "clerk",
            retry_on=RESUBMIT_RACE,
            json={"reason": "Đã bổ sung số liệu"},
        )
        resubmitted = time.perf_counter()
        self.step(RESUBMIT, "", resubmitted - seen)
        arrived = await self._arrival(agency, nomination_id, arrival)
        self.step(RESUBMIT_PENDING, agency, arrived - resubmitted)

    async def _unit_shows(self, nomination_id: str, status: str) -> float:
        """When the proposer's own view (fed by events over Kafka) first shows `status`.

        Each nomination waiting here polls on its own, so this interval is longer than the
        inboxes': at 50 ms these polls would be most of the unit service's HTTP load."""
        deadline = time.perf_counter() + self.limit
        what = f"GET /nominations/<id> at {PROPOSER}"
        polls = f"GET /nominations/<id> polls at {PROPOSER}"
        while True:
            self.result.counters[polls] = self.result.counters.get(polls, 0) + 1
            try:
                r = await self.clients[Tier.UNIT].get(f"/nominations/{nomination_id}", headers=auth(PROPOSER, "clerk"))
            except httpx.HTTPError as err:
                self._error(f"{what}: {type(err).__name__}: {err}")
                raise Failed from err
            if r.status_code != 200:
                self._error(f"{what}: {r.status_code} {r.text}")
                raise Failed
            if r.json()["status"] == status:
                return time.perf_counter()
            if time.perf_counter() > deadline:
                self._error(f"the unit did not show {status} within {self.limit:.0f}s (still {r.json()['status']})")
                raise Failed
            await asyncio.sleep(self.view_poll)


async def run_lifecycle(
    runtime: Runtime, args: argparse.Namespace, meter: Callable[[], CpuMeter], say: Callable[[str], None]
) -> LifecycleResult:
    """The scenario on a `bench.runtime.Runtime` whose broker and Temporal are up."""
    stack = await runtime.start_stack()
    result = LifecycleResult(
        "tdkt lifecycle via HTTP", "nomination", args.n, args.concurrency, award=AWARD, proposer=PROPOSER
    )
    pool = connection_pool(args.concurrency)
    clients = {
        t: httpx.AsyncClient(base_url=stack.config.url(t), timeout=args.timeout, limits=pool) for t in TIER_ORDER
    }
    returns = returned_indices(args.n, args.return_share)
    driver = Lifecycle(clients, result, args.timeout, args.poll_ms / 1000, args.view_poll_ms / 1000, returns)
    driver.watch(Tier.UNIT, PROPOSER)
    await driver.start()
    say(
        f"(e) lifecycle: {args.n} × {AWARD} from {PROPOSER} on {driver.today}, {len(returns)} "
        f"returned once, {args.concurrency} in flight, inboxes polled every {args.poll_ms} ms, "
        f"the unit's view of each nomination every {args.view_poll_ms} ms"
    )
    try:
        await drive(driver, args.n, args.concurrency, meter())
    finally:
        await driver.stop_watching()
    try:
        say("checking: conferrals, workflow states, inboxes, audit chains")
        await check(clients, driver.ids, result)
    finally:
        for client in clients.values():
            await client.aclose()
    return result
