"""The HTTP steps shared by the scenarios that drive tdkt through its API only: (b) `bench/tdkt.py`
and (e) `bench/lifecycle.py`.

Demo tokens and documents, one poller per inbox, a POST that retries only the known races, the
draft every nomination starts as, the chair's decision, and what a level does before it may
forward (docs/lifecycle.md): the proposer's public posting where the catalog requires one, and
the level's council's secret ballot below the central tier. These are the gates the decision
route checks with `forward_problems` (shared/kit/readiness.py, shared/kit/api.py), so a scenario
that prepares a level with `prepare` is not refused with "cannot forward yet".
"""

import asyncio
import base64
import hashlib
import time
from collections.abc import Awaitable
from datetime import date, timedelta
from typing import Any

import httpx

from bench.report import CpuMeter, ScenarioResult, error_key
from deploy.demo_data import DEMO_OFFICERS, demo_token
from services.kit.reviews.readiness import PROPOSER_POSTS
from shared.contracts.tiers import Tier
from shared.rules.calendar import default_calendar
from shared.rules.catalog import default_catalog
from shared.rules.dossier import required_documents

# Rejections that only mean "too early" and are retried (counted, with their exact text):
# a write acknowledged before its transaction committed, or a decision sent after the item showed
# in the inbox but before the workflow marked the level pending.
RETRY_INTERVAL = 0.05
# The database was busy and nothing was written (503, Retry-After): a well-behaved client tries again.
BUSY = (503, "nothing was written")
RACES = {
    "documents": ((404, "no nomination"),),
    "submit": ((422, "attach at least"),),
    "decision": ((409, "is not awaiting a decision"),),
}
# A connection idle this long is not used again: uvicorn closes one idle for 5 s (timeout_keep_alive),
# and a request sent on it at that moment is lost (httpx ReadError), a client fault, not the service's.
KEEPALIVE_EXPIRY_S = 2.0


def connection_pool(concurrency: int) -> httpx.Limits:
    """The bench clients' connections: enough for the calls in flight, given up before the server does."""
    return httpx.Limits(
        max_connections=concurrency + 8, max_keepalive_connections=concurrency + 8, keepalive_expiry=KEEPALIVE_EXPIRY_S
    )


COUNCIL_KINDS = ("bien_ban_hoi_dong", "ket_qua_bo_phieu")  # the council's conclusion adds these
POSITIONS = {"chair": "chair", "clerk": "secretary", "council_member": "member"}

# What a level does before it forwards, timed apart from the decision itself.
POSTING = "preparation: public posting recorded (proposer)"
COUNCIL = "preparation: council set-up (once per agency)"
MEETING = "preparation: council meeting recorded"
VOTE = "preparation: one member's secret vote"
CLOSE = "preparation: ballot round closed"
BALLOT = "preparation: ballot, meeting → round closed"


def auth(agency: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_token(agency, role)}"}


def document(kind: str, text: str) -> dict[str, str]:
    content = text.encode()
    return {
        "kind": kind,
        "filename": f"{kind}.txt",
        "content_type": "text/plain",
        "content_base64": base64.b64encode(content).decode(),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def proposer_kinds(award: str) -> list[str]:
    """What the proposer attaches: every kind the award requires except the council's own output."""
    required = required_documents(default_catalog(), award, "province")
    return [kind for kind in required if kind not in COUNCIL_KINDS]


def working_days_before(day: date, days: int) -> date:
    found, calendar = day, default_calendar()
    for _ in range(days):
        found -= timedelta(days=1)
        while not calendar.is_working_day(found):
            found -= timedelta(days=1)
    return found


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
                    # One page of the most an inbox answers: this scenario holds fewer at one agency.
                    r = await self.client.get("/inbox", headers=auth(self.agency, "chair"), params={"limit": 1000})
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
    """Drives nominations of one award from one proposer; a scenario supplies `route`.

    `step` records a timing; by default in the result's other timings, whatever the agency."""

    def __init__(
        self,
        clients: dict[Tier, httpx.AsyncClient],
        result: ScenarioResult,
        limit: float,
        poll: float,
        award: str,
        proposer: str,
    ) -> None:
        self.clients, self.result, self.limit, self.poll = clients, result, limit, poll
        self.award, self.proposer = award, proposer
        self.today = date.min  # the services' business date: `start` reads it
        self.ids: list[str] = []
        self.watchers: dict[str, InboxWatcher] = {}
        self.pollers: list[asyncio.Task] = []
        self.councils: dict[str, tuple[str, list[str]]] = {}
        self._council_locks: dict[str, asyncio.Lock] = {}

    async def start(self) -> None:
        """Meetings and postings are dated by the business date, which is not the wall clock."""
        r = await self.clients[Tier.UNIT].get("/health")
        self.today = date.fromisoformat(r.json()["business_date"])

    def watch(self, tier: Tier, agency: str) -> None:
        """Start polling the agency's inbox, once, when a route first names it."""
        if agency not in self.watchers:
            watcher = InboxWatcher(self.clients[tier], agency, self.poll, self.result)
            self.watchers[agency] = watcher
            self.pollers.append(asyncio.create_task(watcher.run(), name=f"inbox-{agency}"))

    async def stop_watching(self) -> None:
        for task in self.pollers:
            task.cancel()
        await asyncio.gather(*self.pollers, return_exceptions=True)

    def step(self, step: str, agency: str, seconds: float) -> None:
        self.result.other_ms.setdefault(step, []).append(seconds * 1000)

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
        **kwargs: Any,
    ) -> tuple[dict, float]:
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
            transient = any(r.status_code == code and part in r.text for code, part in (*retry_on, BUSY))
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
        """Draft one nomination, then `route` it; a failure stops waiting for it in every inbox."""
        t0 = time.perf_counter()
        nominee = f"Nguyễn Văn Bench {index:05d}"
        body = {"nominee_name": nominee, "award_code": self.award, "reason": "Thành tích xuất sắc (benchmark)"}
        draft, _ = await self._post(Tier.UNIT, "/nominations", 201, self.proposer, "clerk", json=body)
        nomination_id = draft["id"]
        self.ids.append(nomination_id)
        try:
            await self.route(index, nomination_id, nominee, t0)
        except Failed:
            for watcher in self.watchers.values():
                watcher.forget(nomination_id)
            raise
        self.result.completed += 1

    async def route(self, index: int, nomination_id: str, nominee: str, t0: float) -> None:
        raise NotImplementedError

    async def attach(self, nomination_id: str, nominee: str) -> int:
        """The proposer's documents; returns how many were attached."""
        kinds = proposer_kinds(self.award)
        for kind in kinds:
            await self._post(
                Tier.UNIT,
                f"/nominations/{nomination_id}/documents",
                201,
                self.proposer,
                "clerk",
                retry_on=RACES["documents"],
                json=document(kind, f"{kind}: {nominee}"),
            )
        return len(kinds)

    async def decide(self, tier: Tier, agency: str, nomination_id: str, **body: str) -> tuple[float, float, float]:
        """The chair's decision: when it was first sent, when the accepted attempt was sent, and
        when that attempt's answer came back."""
        first = time.perf_counter()
        _, sent = await self._post(
            tier, f"/reviews/{nomination_id}/decision", 200, agency, "chair", retry_on=RACES["decision"], json=body
        )
        return first, sent, time.perf_counter()

    def must_post(self, agency: str) -> bool:
        posting = default_catalog().award(self.award).public_posting
        return agency == self.proposer and posting.required and posting.by in PROPOSER_POSTS

    async def prepare(self, tier: Tier, agency: str, nomination_id: str, nominee: str) -> bool:
        """What `agency` does before it forwards; False when nothing is asked of it (central bodies
        appraise and submit without a council gate)."""
        posts = self.must_post(agency)
        if posts:
            await self.post_publicly(nomination_id)
        if tier == Tier.CENTRAL:
            return posts
        await self.ballot(tier, agency, nomination_id, nominee)
        return True

    async def post_publicly(self, nomination_id: str) -> None:
        """The proposer records the posting it made as many working days ago as the catalog asks,
        so the window closes at the end of today and the council may meet today (Law Art. 84(5))."""
        days = default_catalog().award(self.award).public_posting.working_days or 0
        posted = working_days_before(self.today, days)
        started = time.perf_counter()
        await self._post(
            Tier.UNIT,
            f"/nominations/{nomination_id}/consultation",
            201,
            self.proposer,
            "clerk",
            json={"posted_on": posted.isoformat(), "channel": f"https://{self.proposer.lower()}.edu.vn/cong-khai"},
        )
        self.step(POSTING, self.proposer, time.perf_counter() - started)

    async def ballot(self, tier: Tier, agency: str, nomination_id: str, nominee: str) -> None:
        """The council meets today on this one nomination; every member votes yes with their own token."""
        council_id, members = await self._council(tier, agency)
        started = time.perf_counter()
        meeting, _ = await self._timed(
            MEETING,
            agency,
            self._post(
                tier,
                f"/councils/{council_id}/meetings",
                201,
                agency,
                "chair",
                json={
                    "held_on": self.today.isoformat(),
                    "present": members,
                    "items": [{"nomination_id": nomination_id, "award_code": self.award, "nominee_name": nominee}],
                },
            ),
        )
        item = f"/meetings/{meeting['id']}/items/{nomination_id}"
        for member in members:
            role = member.split(":", 1)[1]
            await self._timed(VOTE, agency, self._post(tier, f"{item}/votes", 201, agency, role, json={"vote": "yes"}))
        counts, _ = await self._timed(CLOSE, agency, self._post(tier, f"{item}/close-round", 200, agency, "chair"))
        self.step(BALLOT, agency, time.perf_counter() - started)
        if not counts.get("passed"):
            self._error(f"the ballot at {agency} did not pass: {counts}")
            raise Failed

    async def _timed(self, step: str, agency: str, call: Awaitable[tuple[dict, float]]) -> tuple[dict, float]:
        started = time.perf_counter()
        found = await call
        self.step(step, agency, time.perf_counter() - started)
        return found

    async def _council(self, tier: Tier, agency: str) -> tuple[str, list[str]]:
        """The agency's council, set up by the first nomination that needs it: its demo officers
        who can sit on it, before any meeting fixes the roster of the day."""
        async with self._council_locks.setdefault(agency, asyncio.Lock()):
            if agency not in self.councils:
                started = time.perf_counter()
                council, _ = await self._post(
                    tier, "/councils", 201, agency, "chair", json={"name": f"Hội đồng Thi đua - Khen thưởng {agency}"}
                )
                members = []
                for code, role, _name in DEMO_OFFICERS:
                    if code == agency and role in POSITIONS:
                        await self._post(
                            tier,
                            f"/councils/{council['id']}/members",
                            201,
                            agency,
                            "chair",
                            json={"officer_id": f"{agency}:{role}", "position": POSITIONS[role], "from": "2025-01-01"},
                        )
                        members.append(f"{agency}:{role}")
                self.councils[agency] = (council["id"], members)
                self.step(COUNCIL, agency, time.perf_counter() - started)
        return self.councils[agency]


async def drive(driver: Driver, n: int, concurrency: int, meter: CpuMeter) -> None:
    """N nominations, `concurrency` in flight; the measured interval's wall time and CPU seconds go
    into the driver's result."""
    gate = asyncio.Semaphore(concurrency)

    async def bounded(index: int) -> None:
        async with gate:
            try:
                await driver.nomination(index)
            except Failed:
                driver.result.failed += 1

    result = driver.result
    cpu = meter.snapshot()
    started = time.perf_counter()
    await asyncio.gather(*(bounded(i) for i in range(n)))
    result.wall_s = time.perf_counter() - started
    result.cpu_s = meter.delta(cpu, meter.snapshot())
