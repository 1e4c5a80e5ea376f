"""The soak (`make soak`, `python -m bench soak`): N nominations from the demo school to the
President's office while, every few seconds for a bounded time, a process picked by a seeded random
draw (a tier service, the workflow worker, the Temporal server or the broker) is killed with
SIGKILL and started again after a short pause: the broker on its memory-only storage (its log is
gone), Temporal on its database, a service on its own.

Each nomination is driven as an officer would: the draft and its documents before the first kill,
then, whatever answers, the driver reads where the nomination stands and does what that level asks
(the proposer's posting, the council's secret ballot, the chair's decision), starting the level's
work again when a call failed midway (a second meeting is lawful; a decision already recorded shows
as a step further). When the chaos ends, every process is running again and the system is left to
settle; then `deploy/invariants.py` reads the four databases. Printed: nominations completed, events
lost (committed and never published, or never applied by a service that handles them), duplicate
effects (a decision recorded twice), audit chains that fail, and the kills; all but the kills must
be 0 (exit 1 otherwise).
"""

import argparse
import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.report import ScenarioResult
from bench.runtime import Runtime
from bench.steps import RACES, Driver, Failed, auth
from deploy.demo_data import ORDER_ROUTE
from deploy.embedded import Child
from deploy.invariants import Settled, wait_settled
from shared.contracts.tiers import Tier

AWARD = "HCLD_HANG_BA"
LEVELS = [(Tier(tier), agency) for tier, agency in ORDER_ROUTE]
PROPOSER = LEVELS[0][1]
VICTIMS = ("unit", "district", "province", "central", "worker", "temporal", "broker")


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench soak", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = p.add_argument
    add("--n", type=int, default=20, help="nominations, each from draft to conferral")
    add("--concurrency", type=int, default=10, help="nominations driven at once")
    add("--seconds", type=float, default=180, help="how long processes are killed and restarted")
    add("--every", type=float, default=6, help="seconds between two kills")
    add("--down", type=float, default=3, help="at most this many seconds before a killed process starts again")
    add("--victims", default=",".join(VICTIMS), help=f"which processes may be killed (of {','.join(VICTIMS)})")
    add("--seed", type=int, default=2025, help="seed of the draw of victims and pauses")
    add("--settle", type=float, default=300, help="seconds the system may take to settle after the chaos")
    add("--timeout", type=float, default=900, help="seconds one nomination may take, chaos included")
    add("--log-level", default="INFO", help="LOG_LEVEL of the services and the worker")
    add("--json", type=Path, help="also write the results as JSON to this path")
    add("--keep", action="store_true", help="keep the temporary directory (databases, logs)")
    args = p.parse_args(argv)
    unknown = set(args.victims.split(",")) - set(VICTIMS)
    if unknown:
        p.error(f"unknown victims {sorted(unknown)}; choose among {', '.join(VICTIMS)}")
    return args


@dataclass
class SoakResult:
    requested: int
    completed: int = 0
    wall_s: float = 0.0
    settle_s: float = -1.0
    kills: Counter = field(default_factory=Counter)
    revived: Counter = field(default_factory=Counter)
    settled: Settled = field(default_factory=Settled)
    transient: int = 0  # calls that failed on the way and were tried again

    def failed(self) -> bool:
        return self.completed < self.requested or not self.settled.ok()

    def to_json(self) -> dict[str, Any]:
        s = self.settled
        return {
            "requested": self.requested, "completed": self.completed, "wall_s": self.wall_s,
            "settle_s": self.settle_s, "kills": dict(self.kills), "revived": dict(self.revived),
            "transient": self.transient,
            "events": s.events, "lost": s.lost, "duplicates": s.duplicates, "audit_failures": s.audit_failures,
            "unpublished": s.unpublished[:50], "undelivered": s.undelivered[:50],
        }  # fmt: skip


class Chaos:
    """Kills a drawn process every `every` seconds and starts it again after a drawn pause."""

    def __init__(self, children: dict[str, Child], rng: random.Random, every: float, down: float, say) -> None:  # type: ignore[no-untyped-def]
        self.children, self.rng, self.every, self.down, self.say = children, rng, every, down, say
        self.kills: Counter = Counter()
        self.revived: Counter = Counter()  # processes found dead on their own and started again

    async def run(self, seconds: float) -> None:
        ends = time.monotonic() + seconds
        while time.monotonic() + self.every < ends:
            await asyncio.sleep(self.every)
            self.revive()  # as a restart policy would: a process that died on its own starts again
            name = self.rng.choice(sorted(self.children))
            pause = self.rng.uniform(0.5, self.down)
            child = self.children[name]
            self.say(f"kill -9 {name}; back in {pause:.1f} s")
            child.kill()
            self.kills[name] += 1
            await asyncio.sleep(pause)
            child.start()

    def revive(self) -> None:
        """Whatever is down starts again: a service that could not start while Temporal or the
        broker was away, or a victim still paused when the chaos ends."""
        for name, child in self.children.items():
            if child.proc is None or child.proc.poll() is not None:
                self.say(f"{name} is down (exit {child.proc.returncode if child.proc else None}); starting it")
                self.revived[name] += 1
                child.start()


class Officers(Driver):
    """Drives nominations by reading where each stands, never by remembering what it sent."""

    async def set_up_councils(self) -> None:
        for tier, agency in LEVELS[:3]:  # the unit's, the district's and the province's
            await self._council(tier, agency)

    async def draft(self, index: int) -> tuple[str, str]:
        nominee = f"Nguyễn Văn Soak {index:04d}"
        body = {"nominee_name": nominee, "award_code": self.award, "reason": "Thành tích xuất sắc (soak)"}
        draft, _ = await self._post(Tier.UNIT, "/nominations", 201, self.proposer, "clerk", json=body)
        await self.attach(draft["id"], nominee)
        return draft["id"], nominee

    async def status(self, nomination_id: str) -> dict[str, Any] | None:
        try:
            r = await self.clients[Tier.UNIT].get(
                f"/nominations/{nomination_id}/status", headers=auth(self.proposer, "clerk")
            )
        except httpx.HTTPError:
            return None
        return r.json() if r.status_code == 200 else None

    async def see_through(self, nomination_id: str, nominee: str, result: SoakResult) -> bool:
        """Submit, then act at each level until the nomination is conferred or time runs out."""
        ends, ready = time.monotonic() + self.limit, set()
        while time.monotonic() < ends:
            status = await self.status(nomination_id)
            try:
                if status is None:  # not submitted yet, or the unit or Temporal is away
                    await self._post(
                        Tier.UNIT, f"/nominations/{nomination_id}/submit", 202, self.proposer, "clerk",
                        retry_on=RACES["submit"],
                    )  # fmt: skip
                elif status["state"] == "conferred":
                    return True
                elif status["state"] == "pending" and status["pending_agency"]:
                    step = int(status["step"])
                    tier, agency = LEVELS[step]
                    last = step + 1 == len(LEVELS)
                    if not last and step not in ready:
                        await self.prepare(tier, agency, nomination_id, nominee)
                        ready.add(step)
                    body = {"action": "confer", "decision_no": f"{nomination_id[:8]}/QĐ-CTN"} if last else {
                        "action": "forward", "reason": "Đủ điều kiện"}  # fmt: skip
                    await self.decide(tier, agency, nomination_id, **body)
                else:
                    await asyncio.sleep(0.3)
            except Failed:
                result.transient += 1
                await asyncio.sleep(0.5)
        return False


async def run_soak(runtime: Runtime, args: argparse.Namespace, say) -> SoakResult:  # type: ignore[no-untyped-def]
    stack = await runtime.start_stack()
    result = SoakResult(args.n)
    pool = httpx.Limits(max_connections=args.concurrency + 8)
    clients = {t: httpx.AsyncClient(base_url=stack.config.url(t), timeout=15, limits=pool) for t, _ in LEVELS}
    officers = Officers(clients, ScenarioResult("soak", "nomination", args.n, args.concurrency), 30, 0.2, AWARD,
                        PROPOSER)  # fmt: skip
    officers.limit = args.timeout
    processes: dict[str, Child | None] = {
        **{tier.value: child for tier, child in stack.services.items()},
        "worker": stack.worker, "temporal": runtime.temporal, "broker": runtime.broker,
    }  # fmt: skip
    chosen = {name: child for name, child in processes.items() if child is not None and name in args.victims}
    chaos = Chaos(chosen, random.Random(args.seed), args.every, args.down, say)
    try:
        await officers.start()
        await officers.set_up_councils()  # before anything is killed
        say(f"drafting {args.n} nominations")
        drafts = [await officers.draft(i) for i in range(args.n)]
        gate = asyncio.Semaphore(args.concurrency)

        async def one(nomination_id: str, nominee: str) -> bool:
            async with gate:
                return await officers.see_through(nomination_id, nominee, result)

        say(f"driving them while a process dies every {args.every:.0f} s for {args.seconds:.0f} s")
        started = time.perf_counter()
        chaos_task = asyncio.create_task(chaos.run(args.seconds))
        done = await asyncio.gather(*(one(i, n) for i, n in drafts))
        await chaos_task
        chaos.revive()
        result.completed, result.wall_s, result.kills = sum(done), time.perf_counter() - started, chaos.kills
        result.revived = chaos.revived
        say(f"{result.completed} of {args.n} conferred; waiting for the system to settle")
        settling = time.perf_counter()
        result.settled = await wait_settled(stack.config.database_urls, within=args.settle, every=2)
        if result.settled.ok():
            result.settle_s = time.perf_counter() - settling
    finally:
        chaos.revive()
        for client in clients.values():
            await client.aclose()
    return result


def render(result: SoakResult, info: dict) -> str:
    s = result.settled
    rows = [
        ("nominations completed", f"{result.completed} of {result.requested}"),
        ("events lost", str(s.lost)),
        ("duplicate effects", str(len(s.duplicates))),
        ("audit failures", str(len(s.audit_failures))),
        ("events committed", str(s.events)),
        ("kills", ", ".join(f"{k} {v}" for k, v in sorted(result.kills.items())) or "none"),
        (
            "found dead on their own, restarted",
            ", ".join(f"{k} {v}" for k, v in sorted(result.revived.items())) or "none",
        ),
        ("calls failed and tried again", str(result.transient)),
        ("wall time of the drive", f"{result.wall_s:.0f} s"),
        ("settled after the drive in", f"{result.settle_s:.0f} s" if result.settle_s >= 0 else "did not settle"),
    ]
    width = max(len(k) for k, _ in rows)
    m = info["machine"]
    lines = [
        f"Soak, {info['date']}: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, Python {m['python']}",
        *(f"  {k:<{width}}  {v}" for k, v in rows),
    ]
    if not s.ok():
        lines.append(f"  what is wrong: {s.summary()}")
    return "\n".join(lines)
