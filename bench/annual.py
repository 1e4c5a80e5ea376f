"""Scenario (h): a province's annual round of base-level titles, `python -m bench annual --n 1000`.

The three demo units of Kiên Giang (U91-0001 a school, U91-0002 a department, U91-0003 an
enterprise) propose N candidates for Lao động tiên tiến and Chiến sĩ thi đua cơ sở (a share set by
`--cstd-share`), each in tờ trình of `--batch-size` candidates, through the HTTP API of the four tier
services, Kafka and Temporal on the embedded runtime. The route of each (unit, title) is asked of
`GET /routes` (on the business date 2025-05-15, Decree 98: the school's titles are conferred by the
chair of Hòn Đất district, D903; the department and the enterprise confer their own).

The phases run one after the other, over every tờ trình at once with `--concurrency` HTTP calls in
flight, each timed and CPU-metered on its own:
1. import: the tờ trình numbered, its candidates imported from a CSV file, the proposer's documents
   attached to every draft (`POST /batches`, `/import`, `/documents`);
2. submit: `POST /batches/{id}/submit`, which starts one workflow per candidate;
3. at each level of the route, in order: until the level's inbox shows every candidate (the
   workflows' work); preparation: the level's council meets on the tờ trình (up to 200 agenda items a
   meeting), every member casts one ballot paper over the agenda with their own token and the rounds
   are counted at once, where the law asks for it (readiness: before any forward; the ballot the
   catalog requires before a conferral: Chiến sĩ thi đua cơ sở; the level's own council before it
   confers what it proposed itself); decisions: the whole tờ trình forwarded by ONE
   `POST /reviews/decisions`, or conferred by ONE `POST /decisions` with its own decision number;
4. until the proposer sees every conferral (`GET /batches/{id}` at the unit).
Neither title asks for a public posting (catalog), so no posting is recorded. Then, on the same
Temporal server, bare Temporal's floor for the same candidates (`bench/annual_floor.py`).
"""

import argparse
import asyncio
import base64
import csv
import io
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client

from bench.annual_floor import run_floor
from bench.annual_result import ARRIVAL, DECISIONS, IMPORT, PIPELINE, PREPARATION, SEEN, SUBMIT, AnnualResult
from bench.report import CpuMeter, ScenarioResult, error_key
from bench.runtime import Runtime
from bench.steps import Driver, Failed, auth, connection_pool, document, proposer_kinds
from services.kit.batches.candidates import COLUMNS
from shared.contracts.tiers import Tier
from shared.rules.catalog import default_catalog

UNITS = ("U91-0001", "U91-0002", "U91-0003")
LDTT, CSTDCS = "LAO_DONG_TIEN_TIEN", "CSTD_CO_SO"
NAMES = {LDTT: "Lao động tiên tiến", CSTDCS: "Chiến sĩ thi đua cơ sở"}
MEETING_ITEMS = 200  # the most agenda items one meeting takes (councils/schemas.py)
ATTEMPTS = 20  # requests a tờ trình's decision may take: 1,000 awardees each, refused ones tried again


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench annual", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = p.add_argument
    add("--n", type=int, default=1_000, help="candidates proposed in the round, over the three units")
    add("--batch-size", type=int, default=100, help="candidates per tờ trình (one decision each; at most 1,000)")
    add("--cstd-share", type=float, default=0.15, help="share of Chiến sĩ thi đua cơ sở among the candidates")
    add("--concurrency", type=int, default=8, help="HTTP calls in flight at once")
    add("--pipeline", type=int, default=0, metavar="K", help="K tờ trình at a time, each on its own (0: phases)")
    add("--database", choices=("sqlite", "postgres"), default="sqlite", help="the services' databases")
    add("--unit-processes", type=int, default=1, metavar="P", help="processes serving the unit service")
    add("--poll-ms", type=int, default=500, help="interval of the inbox and proposer polls")
    add("--timeout", type=float, default=1800, help="seconds one request or one wait may take")
    add("--log-level", default="WARNING", help="LOG_LEVEL of the services and the worker")
    add("--json", type=Path, help="also write the results as JSON to this path")
    add("--keep", action="store_true", help="keep the temporary directory (databases, logs)")
    add("--no-floor", dest="floor", action="store_false", help="skip bare Temporal's floor after the round")
    args = p.parse_args(argv)
    if args.n < 1 or not 1 <= args.batch_size <= 1000 or not 0 <= args.cstd_share <= 1 or args.pipeline < 0:
        p.error(
            "--n ≥ 1, --batch-size 1..1000 (POST /decisions confers 1,000 at most), --cstd-share 0..1, --pipeline ≥ 0"
        )
    return args


@dataclass
class Batch:
    unit: str
    award: str
    number: str
    names: list[str]
    route: list[tuple[Tier, str, bool]] = field(default_factory=list)
    id: str = ""
    ids: list[str] = field(default_factory=list)
    failed: str = ""


def plan(n: int, batch_size: int, cstd_share: float) -> list[Batch]:
    """N candidates spread evenly over the units; each unit's split into CSTĐCS and LĐTT tờ trình."""
    batches: list[Batch] = []
    for u, unit in enumerate(UNITS):
        count = n // len(UNITS) + (1 if u < n % len(UNITS) else 0)
        cstd = round(count * cstd_share)
        for award, many in ((CSTDCS, cstd), (LDTT, count - cstd)):
            for start in range(0, many, batch_size):
                size = min(batch_size, many - start)
                number = f"{len(batches) + 1}/TTr-{unit}"
                names = [f"Nguyễn Văn {unit} {award[:4]} {start + i:06d}" for i in range(size)]
                batches.append(Batch(unit, award, number, names))
    return batches


def candidates_csv(batch: Batch) -> dict[str, Any]:
    text = io.StringIO()
    header = [COLUMNS[f][0] for f in ("nominee_name", "kind", "award_code", "reason", "period_year")]
    rows = [[name, "Cá nhân", NAMES[batch.award], "Hoàn thành tốt nhiệm vụ năm 2024", "2024"] for name in batch.names]
    csv.writer(text).writerows([header, *rows])
    return {"filename": "ung_vien.csv", "content_base64": base64.b64encode(text.getvalue().encode()).decode()}


class Round(Driver):
    """The annual round: `Driver` lends its POST with counted retries and the councils it sets up."""

    def __init__(self, clients: dict[Tier, httpx.AsyncClient], args: argparse.Namespace, result: AnnualResult) -> None:
        super().__init__(
            clients,
            ScenarioResult("annual", "nomination", args.n, args.concurrency),
            args.timeout,
            args.poll_ms / 1000,
            LDTT,
            UNITS[0],
        )
        self.annual, self.gate = result, asyncio.Semaphore(args.concurrency)
        self.phase = ""

    async def call(self, coro: Callable[[], Awaitable[Any]]) -> Any:
        """One HTTP call, gated and counted in the running phase."""
        async with self.gate:
            self.annual.calls[self.phase] += 1
            return await coro()

    async def post(self, tier: Tier, path: str, expect: int, agency: str, role: str, **kw: Any) -> dict:
        """A POST through the gate; its latency (from leaving the gate, retries included) kept by path."""

        async def timed() -> dict:
            started = time.perf_counter()
            body, _ = await self._post(tier, path, expect, agency, role, **kw)
            self.annual.latency_ms.setdefault(error_key(f"{self.phase}: POST {path}"), []).append(
                (time.perf_counter() - started) * 1000
            )
            return body

        return await self.call(timed)

    async def get(self, tier: Tier, path: str, agency: str, role: str, **params: Any) -> Any:
        answer = await self.call(lambda: self.clients[tier].get(path, headers=auth(agency, role), params=params))
        if answer.status_code != 200:
            self._error(f"GET {path} at {agency}: {answer.status_code} {answer.text}")
            raise Failed
        return answer.json()

    async def routes(self, batches: list[Batch]) -> None:
        for unit, award in dict.fromkeys((b.unit, b.award) for b in batches):
            found = await self.get(Tier.UNIT, "/routes", unit, "clerk", award_code=award, proposer_agency=unit)
            route = [(Tier(s["tier"]), s["agency_code"], bool(s["confers"])) for s in found["steps"]]
            self.annual.routes[f"{unit} {award}"] = " → ".join(a + (" (confers)" if c else "") for _, a, c in route)
            for batch in batches:
                if (batch.unit, batch.award) == (unit, award):
                    batch.route = route

    async def import_batch(self, batch: Batch) -> None:
        made = await self.post(
            Tier.UNIT,
            "/batches",
            201,
            batch.unit,
            "clerk",
            json={"number": batch.number, "title": f"Đề nghị công nhận {NAMES[batch.award]} 2024"},
        )
        batch.id = made["id"]
        await self.post(Tier.UNIT, f"/batches/{batch.id}/import", 200, batch.unit, "clerk", json=candidates_csv(batch))
        for kind in proposer_kinds(batch.award):
            await self.post(
                Tier.UNIT,
                f"/batches/{batch.id}/documents",
                201,
                batch.unit,
                "clerk",
                json=document(kind, f"{kind}: tờ trình {batch.number}"),
            )
        found = await self.get(Tier.UNIT, f"/batches/{batch.id}", batch.unit, "clerk")
        if sorted(a["nominee_name"] for a in found["awardees"]) != sorted(batch.names):
            self._error(f"tờ trình {batch.number}: {len(found['awardees'])} drafts for {len(batch.names)} rows")
            raise Failed
        batch.ids = [a["nomination_id"] for a in found["awardees"]]
        batch.names = [a["nominee_name"] for a in found["awardees"]]  # in the order of the ids

    async def submit(self, batch: Batch) -> None:
        answer = await self.post(Tier.UNIT, f"/batches/{batch.id}/submit", 202, batch.unit, "clerk")
        for started in answer["started"]:
            if "error" in started:
                self._error(f"submit {batch.number}: {started['error']}")
        if len(answer["started"]) != len(batch.ids) or any("error" in s for s in answer["started"]):
            raise Failed

    async def arrivals(self, batches: list[Batch], level: int) -> None:
        """Until each level's inbox shows every candidate of its tờ trình: one poll per tờ trình
        (the inbox filtered by its number, one page)."""
        waiting = {batch.number: set(batch.ids) for batch in batches}
        deadline = time.perf_counter() + self.limit
        while any(waiting.values()):
            for batch in batches:
                ids = waiting[batch.number]
                if ids:
                    tier, agency, _ = batch.route[level]
                    found = await self.get(tier, "/inbox", agency, "chair", batch_no=batch.number, limit=1000)
                    ids -= {item["nomination_id"] for item in found}
            if time.perf_counter() > deadline:
                left = sum(len(ids) for ids in waiting.values())
                self._error(f"{left} candidates not in their inbox at level {level + 1} within {self.limit:.0f} s")
                raise Failed
            await asyncio.sleep(self.poll)

    def ballot_needed(self, batch: Batch, level: int) -> bool:
        """Before a forward, before a conferral the catalog puts to a ballot, and before a level
        confers what it proposed itself (its own council, as below it nobody held one)."""
        tier, agency, confers = batch.route[level]
        own = agency == batch.unit
        return tier is not Tier.CENTRAL and (not confers or own or default_catalog().award(batch.award).ballot.required)

    async def ballot(self, batch: Batch, level: int) -> None:
        """The level's council on the tờ trình: a meeting per 200 items, one ballot paper per member
        over the meeting's agenda, every round counted at once."""
        tier, agency, _ = batch.route[level]
        council_id, members = await self.call(lambda: self._council(tier, agency))
        for start in range(0, len(batch.ids), MEETING_ITEMS):
            ids = batch.ids[start : start + MEETING_ITEMS]
            names = batch.names[start : start + MEETING_ITEMS]
            items = [
                {"nomination_id": i, "award_code": batch.award, "nominee_name": name}
                for i, name in zip(ids, names, strict=True)
            ]
            meeting = await self.post(
                tier,
                f"/councils/{council_id}/meetings",
                201,
                agency,
                "chair",
                json={"held_on": self.today.isoformat(), "present": members, "items": items},
            )
            paper = {"votes": [{"nomination_id": i, "vote": "yes"} for i in ids]}
            for member in members:
                await self.post(
                    tier, f"/meetings/{meeting['id']}/ballots", 201, agency, member.split(":", 1)[1], json=paper
                )
            counted = await self.post(
                tier, f"/meetings/{meeting['id']}/close-rounds", 200, agency, "chair", json={"nomination_ids": ids}
            )
            failed = [c for c in counted["items"] if not c.get("passed")]
            if failed:
                self._error(f"the ballot at {agency} did not pass: {failed[0]}")
                raise Failed

    async def decide_level(self, batch: Batch, level: int) -> None:
        """The level decides on the tờ trình in one request (repeated while awardees remain): it
        forwards them, or confers on them under one decision number."""
        tier, agency, confers = batch.route[level]
        path, body, done = "/reviews/decisions", {"action": "forward", "reason": "Đủ điều kiện"}, "done"
        if confers:
            number = f"{batch.number.split('/')[0]}/QĐ-{agency}"
            path, body, done = "/decisions", {"decision_no": number}, "conferred"
        refused: dict[str, str] = {}
        remaining = len(batch.ids)
        for _ in range(ATTEMPTS):
            # An awardee refused, or answered "may or may not have been applied" and not applied, is
            # still pending here: the next request tries it again. The proposer's view checks the end.
            answer = await self.post(tier, path, 200, agency, "chair", json={**body, "batch_no": batch.number})
            refused = {r["nomination_id"]: r["error"] for r in answer["results"] if not r[done]}
            remaining = answer["remaining"]
            if not remaining:
                break
            await asyncio.sleep(self.poll)
        if remaining:
            for nomination_id, error in refused.items():
                self._error(f"{path} {batch.number}: {nomination_id} not decided: {error}")
            self._error(f"{path} on {batch.number}: {remaining} of {len(batch.ids)} still pending")
            raise Failed

    async def life(self, batch: Batch) -> None:
        """One tờ trình from its import to its proposer's view, on its own (`--pipeline`)."""
        await self.import_batch(batch)
        await self.submit(batch)
        for level in range(len(batch.route)):
            await self.arrivals([batch], level)
            if self.ballot_needed(batch, level):
                await self.ballot(batch, level)
            await self.decide_level(batch, level)
        await self.seen([batch])

    async def seen(self, batches: list[Batch]) -> None:
        """Until the proposer's own view of each tờ trình shows every awardee conferred."""
        waiting = list(batches)
        deadline = time.perf_counter() + self.limit
        while waiting:
            found = await asyncio.gather(*(self.get(Tier.UNIT, f"/batches/{b.id}", b.unit, "clerk") for b in waiting))
            waiting = [
                b for b, f in zip(waiting, found, strict=True) if any(a["status"] != "conferred" for a in f["awardees"])
            ]
            if waiting and time.perf_counter() > deadline:
                self._error(f"{len(waiting)} tờ trình not seen conferred by their proposer within {self.limit:.0f} s")
                raise Failed
            await asyncio.sleep(self.poll if waiting else 0)


async def each(batches: list[Batch], step: Callable[[Batch], Awaitable[None]], name: str, at_once: int = 0) -> None:
    """`step` on every batch still going, `at_once` at a time (0: all); a failure stops that batch
    only (its error is counted)."""
    room = asyncio.Semaphore(at_once or len(batches) or 1)

    async def one(batch: Batch) -> None:
        try:
            async with room:
                await step(batch)
        except Failed:
            batch.failed = name

    await asyncio.gather(*(one(b) for b in batches if not b.failed))


async def run_annual(runtime: Runtime, args: argparse.Namespace, meter: Callable[[], CpuMeter], say) -> AnnualResult:  # type: ignore[no-untyped-def]
    stack = await runtime.start_stack()
    batches = plan(args.n, args.batch_size, args.cstd_share)
    result = AnnualResult(n=args.n, batches=len(batches), batch_size=args.batch_size, concurrency=args.concurrency)
    pool = connection_pool(args.concurrency)
    clients = {t: httpx.AsyncClient(base_url=stack.config.url(t), timeout=args.timeout, limits=pool) for t in Tier}
    rnd = Round(clients, args, result)
    cpu = meter()

    def going(level: int = 0) -> list[Batch]:
        return [b for b in batches if not b.failed and len(b.route) > level]

    async def phase(name: str, work: Callable[[], Awaitable[None]]) -> None:
        """One phase over every tờ trình still going, timed and CPU-metered on its own."""
        rnd.phase = name
        say(f"annual round: {name}")
        before, started = cpu.snapshot(), time.perf_counter()
        try:
            await work()
        except Failed:
            for batch in going():
                batch.failed = name
        result.add_phase(name, time.perf_counter() - started, cpu.delta(before, cpu.snapshot()))

    def over(
        batches: list[Batch], step: Callable[[Batch], Awaitable[None]], name: str
    ) -> Callable[[], Awaitable[None]]:
        return lambda: each(batches, step, name)

    try:
        await rnd.start()
        await rnd.routes(batches)
        started = time.perf_counter()
        if args.pipeline:
            await phase(PIPELINE, lambda: each(going(), rnd.life, PIPELINE, args.pipeline))
        else:
            await phased(rnd, going, phase, over)
        result.wall_s = time.perf_counter() - started
        if args.floor:
            say(f"bare Temporal's floor: {args.n} candidates per awardee, then per tờ trình of {args.batch_size}")
            temporal = await Client.connect(runtime.temporal_address)
            result.floor = await run_floor(temporal, args.n, args.batch_size, meter())
    finally:
        for client in clients.values():
            await client.aclose()
    result.conferred = sum(len(b.ids) for b in batches if not b.failed)
    result.failed_batches = {b.number: b.failed for b in batches if b.failed}
    result.errors, result.retried = dict(rnd.result.errors), dict(rnd.result.retried)
    return result


async def phased(rnd: Round, going, phase, over) -> None:  # type: ignore[no-untyped-def]
    """The phases one after the other, each over every tờ trình still going."""
    await phase(IMPORT, over(going(), rnd.import_batch, IMPORT))
    await phase(SUBMIT, over(going(), rnd.submit, SUBMIT))
    for level in range(max((len(b.route) for b in going()), default=0)):
        here = going(level)
        await phase(f"{ARRIVAL} (level {level + 1})", lambda lv=level, bs=here: rnd.arrivals(bs, lv))
        ballots = [b for b in going(level) if rnd.ballot_needed(b, level)]
        if ballots:
            name = f"{PREPARATION} (level {level + 1})"
            await phase(name, over(ballots, lambda b, lv=level: rnd.ballot(b, lv), name))
        name = f"{DECISIONS} (level {level + 1})"
        await phase(name, over(going(level), lambda b, lv=level: rnd.decide_level(b, lv), name))
    await phase(SEEN, lambda: rnd.seen(going()))
