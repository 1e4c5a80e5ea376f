"""Scenario (e): the realistic life of N nominations, through the HTTP API only (issue 4).

`BANG_KHEN_TINH` from the demo school U91-0001 on 2025-05-15: U91-0001 → D903 → P91 (confers),
the route as each submit answers it. Per nomination: draft, the proposer's documents, submit;
at each level that forwards, its council's secret ballot (meeting, each member's vote with their
own token, round closed) and the chair's forward; a share (`--return-share`) returned once by the
first receiving level, supplemented and resubmitted; the conferral; until the unit's own view
shows it. Each step is timed; the checks after the run (all must be 0) cover conferrals, workflow
states, inboxes left pending and the audit chains of the four tiers. See docs/performance.md.
"""

import asyncio
import base64
import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bench.report import OTHERS, CpuMeter, ScenarioResult, error_key, percentile
from bench.tdkt import RACES, Driver, Failed, InboxWatcher, auth
from deploy.demo_data import CENTRAL_BOARD, DEMO_OFFICERS, HON_DAT, KIEN_GIANG
from shared.contracts.tiers import TIER_ORDER, Tier
from shared.rules.catalog import default_catalog
from shared.rules.dossier import required_documents

AWARD = "BANG_KHEN_TINH"
PROPOSER = "U91-0001"
COUNCIL_KINDS = ("bien_ban_hoi_dong", "ket_qua_bo_phieu")  # the council produces these
POSITIONS = {"chair": "chair", "clerk": "secretary", "council_member": "member"}
# Who may run /audit/verify in each tier's service (auditors, admins, or a chair).
VERIFIERS = {
    Tier.UNIT: (PROPOSER, "chair"),
    Tier.DISTRICT: (HON_DAT, "auditor"),
    Tier.PROVINCE: (KIEN_GIANG, "auditor"),
    Tier.CENTRAL: (CENTRAL_BOARD, "auditor"),
}

SUBMIT = "submit: draft + documents + submit"
INTAKE = "intake wait: submit/forward → pending"
RETURN = "return (decision call)"
RETURN_SEEN = "return → unit shows it returned"
RESUBMIT = "supplement + resubmit"
RESUBMIT_PENDING = "resubmit → pending again"
COUNCIL = "council set-up (once per agency)"
BALLOT = "ballot: meeting → round closed"
FORWARD = "forward (decision call)"
DECISION = "decision: confer (decision call)"
VISIBLE = "conferral visible: decision → unit shows conferred"
END_TO_END = "end to end: draft → unit shows conferred"
FLOW = [
    SUBMIT,
    INTAKE,
    RETURN,
    RETURN_SEEN,
    RESUBMIT,
    RESUBMIT_PENDING,
    COUNCIL,
    BALLOT,
    FORWARD,
    DECISION,
    VISIBLE,
    END_TO_END,
]
# Route position of the steps timed at no agency: the return is handled at the unit between the
# first receiving level's intake and its council; conferral and end to end come last.
POSITION = {SUBMIT: 0, RETURN_SEEN: 1, RESUBMIT: 1}
LAST = 99
# The unit can show a nomination returned (the returning level's event) before the workflow has
# left the decision it recorded: a resubmission then is refused; retried, counted with its text.
RESUBMIT_RACE = ((409, "can be resubmitted (it is recording)"),)


def proposer_kinds() -> list[str]:
    required = required_documents(default_catalog(), AWARD, "province")
    return [kind for kind in required if kind not in COUNCIL_KINDS]


def document(kind: str, text: str) -> dict[str, str]:
    content = text.encode()
    return {
        "kind": kind,
        "filename": f"{kind}.txt",
        "content_type": "text/plain",
        "content_base64": base64.b64encode(content).decode(),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def returned_indices(n: int, share: float) -> set[int]:
    """floor(n × share) indices spread evenly over the run (with 0.1: 9, 19, 29...)."""
    return {i for i in range(n) if int((i + 1) * share) > int(i * share)}


@dataclass
class LifecycleResult(ScenarioResult):
    route: list[dict] = field(default_factory=list)
    returned: int = 0
    steps: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # (step, agency) → ms
    checks: dict[str, int] = field(default_factory=dict)
    chains: dict[str, dict] = field(default_factory=dict)  # tier → /audit/verify answer
    states: Counter = field(default_factory=Counter)  # workflow states after the run

    def order(self, key: tuple[str, str]) -> tuple[int, int]:
        """Flow order: by route position, then by step; submit first, the end steps last."""
        step, agency = key
        agencies = [s["agency_code"] for s in self.route]
        where = agencies.index(agency) if agency in agencies else POSITION.get(step, LAST)
        return where, FLOW.index(step) if step in FLOW else len(FLOW)

    def rows(self) -> list[tuple[str, dict]]:
        return [
            (f"{step} @ {agency}" if agency else step, stats(self.steps[(step, agency)]))
            for step, agency in sorted(self.steps, key=self.order)
        ]

    def to_json(self) -> dict:
        data = super().to_json()
        for unused in ("steps", "decisions_per_s", "per_decision", "other"):
            data.pop(unused)
        data["steps"] = dict(self.rows())
        data["states"] = dict(self.states)
        return data


def stats(values: list[float]) -> dict[str, float | int | None]:
    return {
        "count": len(values),
        "p50_ms": percentile(values, 50),
        "p95_ms": percentile(values, 95),
        "max_ms": max(values) if values else None,
    }


class Lifecycle(Driver):
    """Drives one nomination at a time through its route; `Driver._post` retries the known races."""

    def __init__(
        self,
        clients: dict[Tier, httpx.AsyncClient],
        watchers: dict[str, InboxWatcher],
        result: LifecycleResult,
        limit: float,
        poll: float,
        view_poll: float,
        returns: set[int],
    ) -> None:
        super().__init__(clients, watchers, result, limit)
        self.life, self.poll, self.view_poll, self.returns = result, poll, view_poll, returns
        self.today = ""
        self.ids: list[str] = []
        self.pollers: list[asyncio.Task] = []
        self.councils: dict[str, tuple[str, list[str]]] = {}
        self._council_locks: dict[str, asyncio.Lock] = {}

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
        self.life.steps.setdefault((step, agency), []).append(seconds * 1000)

    async def nomination(self, index: int) -> None:
        t0 = time.perf_counter()
        nominee = f"Nguyễn Văn Bench {index:05d}"
        draft, _ = await self._post(
            Tier.UNIT,
            "/nominations",
            201,
            PROPOSER,
            "clerk",
            json={"nominee_name": nominee, "award_code": AWARD, "reason": "Thành tích xuất sắc (benchmark)"},
        )
        nomination_id = draft["id"]
        self.ids.append(nomination_id)
        try:
            await self._life(index, nomination_id, nominee, t0)
        except Failed:
            for watcher in self.watchers.values():
                watcher.forget(nomination_id)
            raise
        self.result.completed += 1

    async def _life(self, index: int, nomination_id: str, nominee: str, t0: float) -> None:
        for kind in proposer_kinds():
            await self._post(
                Tier.UNIT,
                f"/nominations/{nomination_id}/documents",
                201,
                PROPOSER,
                "clerk",
                retry_on=RACES["documents"],
                json=document(kind, f"{kind}: {nominee}"),
            )
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
                sent, decided = await self._decide(
                    tier, agency, nomination_id, action="confer", decision_no=f"{index + 1}/QĐ-UBND"
                )
                self.step(DECISION, agency, decided - sent)
                shown = await self._unit_shows(nomination_id, "conferred")
                self.step(VISIBLE, "", shown - decided)
                self.step(END_TO_END, "", shown - t0)
                return
            await self._ballot(tier, agency, nomination_id, nominee)
            next_agency = route[level + 1][1]
            arrival = self.watchers[next_agency].expect(nomination_id)
            sent, forwarded = await self._decide(tier, agency, nomination_id, action="forward", reason="Đủ điều kiện")
            self.step(FORWARD, agency, forwarded - sent)
            arrived = await self._arrival(next_agency, nomination_id, arrival)
            self.step(INTAKE, next_agency, arrived - forwarded)

    async def _decide(self, tier: Tier, agency: str, nomination_id: str, **body: str) -> tuple[float, float]:
        """The chair's decision: when it was first sent, and when it was accepted."""
        sent = time.perf_counter()
        await self._post(
            tier, f"/reviews/{nomination_id}/decision", 200, agency, "chair", retry_on=RACES["decision"], json=body
        )
        return sent, time.perf_counter()

    async def _return_once(self, tier: Tier, agency: str, nomination_id: str) -> None:
        sent, returned = await self._decide(
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

    async def _ballot(self, tier: Tier, agency: str, nomination_id: str, nominee: str) -> None:
        council_id, members = await self._council(tier, agency)
        started = time.perf_counter()
        meeting, _ = await self._post(
            tier,
            f"/councils/{council_id}/meetings",
            201,
            agency,
            "chair",
            json={
                "held_on": self.today,
                "present": members,
                "items": [{"nomination_id": nomination_id, "award_code": AWARD, "nominee_name": nominee}],
            },
        )
        item = f"/meetings/{meeting['id']}/items/{nomination_id}"
        for member in members:
            await self._post(tier, f"{item}/votes", 201, agency, member.split(":", 1)[1], json={"vote": "yes"})
        counts, _ = await self._post(tier, f"{item}/close-round", 200, agency, "chair")
        self.step(BALLOT, agency, time.perf_counter() - started)
        if not counts.get("passed"):
            self._error(f"the ballot at {agency} did not pass: {counts}")
            raise Failed

    async def _council(self, tier: Tier, agency: str) -> tuple[str, list[str]]:
        """The agency's council, set up by the first nomination that needs it."""
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


async def _ask(
    client: httpx.AsyncClient, path: str, agency: str, role: str, result: LifecycleResult
) -> httpx.Response | None:
    """GET for a check: a failure to answer is counted as an error, and fails that check."""
    try:
        r = await client.get(path, headers=auth(agency, role))
    except httpx.HTTPError as err:
        result.errors[error_key(f"GET {path} at {agency}: {type(err).__name__}: {err}")] += 1
        return None
    if r.status_code != 200:
        result.errors[error_key(f"GET {path} at {agency}: {r.status_code} {r.text}")] += 1
        return None
    return r


async def check(clients: dict[Tier, httpx.AsyncClient], ids: list[str], result: LifecycleResult) -> None:
    """The checks after the run; each must be 0."""
    unit = clients[Tier.UNIT]
    r = await _ask(unit, "/nominations", PROPOSER, "clerk", result)
    mine = {n["id"]: n["status"] for n in r.json()} if r else {}
    result.checks["nominations that failed during the run"] = result.failed
    result.checks["not conferred in the unit's view (GET /nominations)"] = sum(mine.get(i) != "conferred" for i in ids)
    gate = asyncio.Semaphore(16)

    async def state(nomination_id: str) -> None:
        async with gate:
            s = await _ask(unit, f"/nominations/{nomination_id}/status", PROPOSER, "clerk", result)
            result.states[s.json()["state"] if s else "(no answer)"] += 1

    await asyncio.gather(*(state(i) for i in ids))
    result.checks["stuck: workflows not conferred (status query)"] = len(ids) - result.states["conferred"]
    for step in result.route:
        agency = step["agency_code"]
        r = await _ask(clients[Tier(step["tier"])], "/inbox", agency, "chair", result)
        result.checks[f"stuck: pending in {agency}'s inbox"] = len(r.json()) if r else -1
    for tier in TIER_ORDER:
        agency, role = VERIFIERS[tier]
        r = await _ask(clients[tier], "/audit/verify", agency, role, result)
        chain = r.json() if r else {"valid": False}
        result.chains[tier.value] = chain
        result.checks[f"audit chain broken ({tier.value} service)"] = 0 if chain.get("valid") else 1


async def run_lifecycle(
    runtime,
    args,
    meter: Callable[[], CpuMeter],  # type: ignore[no-untyped-def]
    say: Callable[[str], None],
) -> LifecycleResult:
    """The scenario on a `bench.runtime.Runtime` whose broker and Temporal are up."""
    stack = await runtime.start_stack()
    result = LifecycleResult("tdkt lifecycle via HTTP", "nomination", args.n, args.concurrency)
    pool = httpx.Limits(max_connections=args.concurrency + 8, max_keepalive_connections=args.concurrency + 8)
    clients = {
        t: httpx.AsyncClient(base_url=stack.config.url(t), timeout=args.timeout, limits=pool) for t in TIER_ORDER
    }
    returns = returned_indices(args.n, args.return_share)
    driver = Lifecycle(clients, {}, result, args.timeout, args.poll_ms / 1000, args.view_poll_ms / 1000, returns)
    driver.watch(Tier.UNIT, PROPOSER)
    driver.today = (await clients[Tier.UNIT].get("/health")).json()["business_date"]
    say(
        f"(e) lifecycle: {args.n} × {AWARD} from {PROPOSER} on {driver.today}, {len(returns)} "
        f"returned once, {args.concurrency} in flight, inboxes polled every {args.poll_ms} ms, "
        f"the unit's view of each nomination every {args.view_poll_ms} ms"
    )
    gate = asyncio.Semaphore(args.concurrency)

    async def bounded(index: int) -> None:
        async with gate:
            try:
                await driver.nomination(index)
            except Failed:
                result.failed += 1

    try:
        cpu_meter = meter()
        cpu = cpu_meter.snapshot()
        started = time.perf_counter()
        await asyncio.gather(*(bounded(i) for i in range(args.n)))
        result.wall_s = time.perf_counter() - started
        result.cpu_s = cpu_meter.delta(cpu, cpu_meter.snapshot())
    finally:
        await driver.stop_watching()
    try:
        say("checking: conferrals, workflow states, inboxes, audit chains")
        await check(clients, driver.ids, result)
    finally:
        for client in clients.values():
            await client.aclose()
    return result


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def render(r: LifecycleResult, info: dict) -> str:
    m = info["machine"]
    route = " → ".join(f"{s['agency_code']}{' (confers)' if s['confers'] else ''}" for s in r.route)
    lines = [
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, Python {m['python']}",
        f"Versions: {info['versions']}",
        "",
        f"(e) lifecycle: N = {r.requested} × {AWARD} from {PROPOSER}, route {route or '?'}; "
        f"{r.returned} returned once by the first receiving level; {r.concurrency} in flight",
        "",
        f"  completed {r.completed}/{r.requested} in {r.wall_s:.1f} s wall = "
        f"{r.items_per_s:.2f} nominations/s end to end (failed: {r.failed})",
        "",
    ]
    head = f"  {'step':<68}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
    lines += [head, "  " + "-" * (len(head) - 2)]
    for label, s in r.rows():
        lines.append(f"  {label:<68}{s['count']:>6}{_ms(s['p50_ms']):>9}{_ms(s['p95_ms']):>9}{_ms(s['max_ms']):>9}")
    if r.counters:
        lines += ["", "  " + ", ".join(f"{k}: {v:g}" for k, v in r.counters.items())]
    for title, counts in (
        ("errors (count × exact text, ids blanked)", r.errors),
        ("retried rejections", r.retried),
        ("workflow states", r.states),
    ):
        if counts:
            lines += ["", f"  {title}:"] + [f"    {n:>6} × {text}" for text, n in counts.most_common()]
    lines += ["", "  checks (all must be 0):"] + [f"    {v:>6}   {k}" for k, v in r.checks.items()]
    chains = ", ".join(f"{t} {c.get('records', '?')} records" for t, c in r.chains.items())
    lines.append(f"  audit chains verified: {chains}")
    if r.cpu_s:
        busy = sum(r.cpu_s.values())
        lines += [
            "",
            f"  CPU seconds during the measured run (total {busy:.1f} in {r.wall_s:.1f} s "
            f"= {busy / r.wall_s if r.wall_s else 0:.2f} cores busy on average):",
        ]
        lines += [f"    {k:<40}{v:>8.1f}" for k, v in r.cpu_s.items()]
        others = r.cpu_s.get(OTHERS, 0.0) / r.wall_s if r.wall_s else 0.0
        if others > 0.1:
            lines.append(
                f"  WARNING: other processes used {others:.2f} cores during the run; "
                "these figures understate what this machine can do"
            )
    return "\n".join(lines)


def failed(r: LifecycleResult) -> bool:
    return bool(r.errors) or any(r.checks.values())
