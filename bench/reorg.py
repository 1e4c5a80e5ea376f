"""Scenario (c): the 2025 reorganization applied while N nominations are in flight.

N `NominationWorkflow`s are started directly with the Temporal client (not through HTTP), proposed
by legacy communes sampled round-robin across the 63 legacy provinces, for `CSTD_CO_SO` (commune →
district) and `BANG_KHEN_TINH` (commune → district → province). They stay pending at the commune;
a share is forwarded to the district with the `decide` update sent by the bench itself (there are
no officers for arbitrary communes; the update does not check who the officer is, HTTP would).
Then the business date moves to 2025-07-01 and the central board's admin applies
`VN-2025-07-01` through HTTP; the `ReorganizationWorkflow` re-routes every nomination.

For comparison, the bare-Temporal cost of touching N running workflows once: a workflow that
waits for one signal and ends, signalled N times (worker in this process, before the stack starts).
"""

import asyncio
import random
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import httpx
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.worker import Worker

from bench.report import CpuMeter, error_key, percentile
from deploy.demo_data import demo_token
from deploy.seed import registry_rows
from shared.routing import AgencyNode, RoutingError, resolve_route
from shared.rules.catalog import default_catalog
from shared.tiers import NOMINATION_TASK_QUEUE, TIER_ORDER, Tier
from workflows.nomination.inputs import DecisionInput, NominationInput
from workflows.nomination.workflows import NominationWorkflow, workflow_id_for
from workflows.reorganization.workflows import workflow_id_for as workflow_id_for_plan

PLAN = "VN-2025-07-01"
BEFORE, EFFECTIVE = date(2025, 5, 15), date(2025, 7, 1)
AWARDS = ("CSTD_CO_SO", "BANG_KHEN_TINH")
ADMIN = {"Authorization": f"Bearer {demo_token('TW-BTDKT', 'admin')}"}
SIGNAL_QUEUE = "bench-signal"


@dataclass
class ReorgResult:
    requested: int
    at_district: int
    batch_size: int
    concurrency: int
    provinces: int = 0
    communes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # named intervals, in order
    history: dict[str, float] = field(default_factory=dict)  # from the workflow histories
    rate: dict[str, float] = field(default_factory=dict)  # items per second
    outcomes: Counter = field(default_factory=Counter)
    rules: Counter = field(default_factory=Counter)
    checks: dict[str, int] = field(default_factory=dict)  # stranded and friends: must be 0
    states: Counter = field(default_factory=Counter)  # workflow states in the status sample
    cpu_s: dict[str, dict[str, float]] = field(default_factory=dict)  # phase -> process -> s
    errors: Counter = field(default_factory=Counter)
    signals: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {k: dict(v) if isinstance(v, Counter) else v for k, v in vars(self).items()}


def registry_on(on: date) -> dict[str, AgencyNode]:
    """The registry every service is seeded with, as it stands on `on`."""
    def valid(r: dict) -> bool:
        start, end = (date.fromisoformat(d) if isinstance(d, str) else d for d in (r["valid_from"], r["valid_to"]))
        return start <= on and (end is None or end >= on)

    return {r["code"]: AgencyNode(r["code"], r["name"], r["tier"], r["kind"], r["parent_code"])
            for r in registry_rows() if valid(r)}


def _province(nodes: dict[str, AgencyNode], code: str) -> str | None:
    node = nodes.get(code)
    while node is not None and node.tier != "province":
        node = nodes.get(node.parent_code or "")
    return node.code if node else None


def sample_nominations(n: int, rng: random.Random) -> tuple[list[NominationInput], set[str], int]:
    """N nominations from legacy communes, round-robin over the provinces, awards alternating.

    Returns them, the communes used and the number of provinces they are in."""
    nodes, catalog = registry_on(BEFORE), default_catalog()
    by_province: dict[str, list[str]] = {}
    for node in nodes.values():
        if node.tier == "unit" and node.code.startswith("C") and node.kind in ("commune", "ward", "town"):
            by_province.setdefault(_province(nodes, node.code) or "?", []).append(node.code)
    for communes in by_province.values():
        rng.shuffle(communes)
    provinces = sorted(by_province)
    inputs: list[NominationInput] = []
    used: set[str] = set()
    i = 0
    while len(inputs) < n:
        communes = by_province[provinces[i % len(provinces)]]
        proposer, award = communes[(i // len(provinces)) % len(communes)], AWARDS[i % len(AWARDS)]
        i += 1
        try:
            plan = resolve_route(catalog, nodes.get, award_code=award, managing_agency=proposer, on=BEFORE)
        except RoutingError:
            continue
        nomination_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        inputs.append(NominationInput(
            nomination_id=nomination_id, award_code=award, nominee_name=f"Nguyễn Văn Bench {len(inputs):05d}",
            proposer_agency=proposer, submitted_by="bench", submitted_at=f"{BEFORE.isoformat()}T09:00:00+07:00",
            route=plan.steps, regime=plan.regime,
        ))
        used.add(proposer)
    return inputs, used, len({_province(nodes, c) for c in used})


def count_rows(db: Path, sql: str, *params: object) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute(sql, params).fetchone()[0]


PENDING = "SELECT count(*) FROM review WHERE status = 'pending'"
# A pending review whose agency has no version in force on the date: nobody can ever decide it.
STRANDED = ("SELECT count(*) FROM review r WHERE r.status = 'pending' AND NOT EXISTS (SELECT 1 FROM agency a "
            "WHERE a.code = r.agency_code AND a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to >= ?))")


async def wait_count(db: Path, sql: str, expected: int, limit: float, say: Callable[[str], None],
                     *params: object) -> float:
    """Seconds until `sql` counts `expected` rows in `db`."""
    started, last = time.perf_counter(), -1
    while True:
        found = await asyncio.to_thread(count_rows, db, sql, *params)
        if found >= expected:
            return time.perf_counter() - started
        if time.perf_counter() - started > limit:
            raise TimeoutError(f"{db.name}: {found}/{expected} rows after {limit:.0f}s ({sql})")
        if found // 1000 != last // 1000:
            say(f"  {db.name}: {found}/{expected}")
            last = found
        await asyncio.sleep(0.5)


async def gathered(items: list, concurrency: int, one: Callable, result: ReorgResult, what: str) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def bounded(item) -> None:  # type: ignore[no-untyped-def]
        async with gate:
            try:
                await one(item)
            except Exception as err:  # noqa: BLE001 - counted and shown
                result.errors[error_key(f"{what}: {type(err).__name__}: {err}")] += 1

    await asyncio.gather(*(bounded(i) for i in items))


async def put_in_flight(client: Client, inputs: list[NominationInput], concurrency: int,
                        result: ReorgResult) -> None:
    async def start(n: NominationInput) -> None:
        await client.start_workflow(NominationWorkflow.run, n, id=workflow_id_for(n.nomination_id),
                                    task_queue=NOMINATION_TASK_QUEUE)

    await gathered(inputs, concurrency, start, result, "start NominationWorkflow")


async def forward_to_district(client: Client, inputs: list[NominationInput], concurrency: int,
                              result: ReorgResult) -> None:
    async def forward(n: NominationInput) -> None:
        handle = client.get_workflow_handle_for(NominationWorkflow.run, workflow_id_for(n.nomination_id))
        await handle.execute_update(NominationWorkflow.decide, DecisionInput(
            action="forward", agency_code=n.proposer_agency, tier=Tier.UNIT.value, officer_id="bench-chair",
            officer_role="chair", reason="Đủ điều kiện (benchmark)"))

    await gathered(inputs, concurrency, forward, result, "decide (forward) update")


async def apply_and_follow(central: httpx.AsyncClient, batch_size: int, concurrency: int, limit: float,
                           result: ReorgResult, say: Callable[[str], None]) -> dict:
    """POST the apply, poll the progress; the time each phase was first seen (±0.5 s)."""
    r = await central.post(f"/reorganizations/{PLAN}/apply", headers=ADMIN,
                           params={"batch_size": batch_size, "concurrency": concurrency})
    if r.status_code != 202 or not r.json().get("started"):
        raise RuntimeError(f"apply: {r.status_code} {r.text}")
    started = time.perf_counter()
    seen: dict[str, float] = {}
    last_said = 0.0
    while True:
        status = (await central.get(f"/reorganizations/{PLAN}", headers=ADMIN)).json()
        now = time.perf_counter() - started
        seen.setdefault(status["phase"], now)
        if now - last_said > 10:
            say(f"  phase {status['phase']}: {status.get('processed', 0)}/{status.get('candidates', 0)}")
            last_said = now
        if status["phase"] == "done":
            break
        if now > limit:
            raise TimeoutError(f"the plan was not applied within {limit:.0f}s: {status}")
        await asyncio.sleep(0.5)
    marks = [seen.get(p) for p in ("applying", "finding", "transferring", "done")]
    first = next((m for m in marks if m is not None), 0.0)
    finding = seen.get("finding", seen.get("transferring", first))
    transferring = seen.get("transferring", seen["done"])
    result.seconds["apply: POST → plan applied to the 4 replicas"] = finding
    result.seconds["find: nominations in flight found"] = transferring - finding
    result.seconds["re-route: transfers, all batches"] = seen["done"] - transferring
    result.seconds["apply POST → phase done"] = seen["done"]
    return status


async def history_timings(client: Client, result: ReorgResult) -> None:
    """Exact phase times from the ReorganizationWorkflow's histories (every continue-as-new run):
    first scheduled → last completed of each activity type, and the summed activity durations."""
    scheduled: dict[tuple[str, int], tuple[str, datetime]] = {}
    spans: dict[str, list[datetime]] = {}
    busy: dict[str, list[float]] = {}
    async for run in client.list_workflows(f"WorkflowId = '{workflow_id_for_plan(PLAN)}'"):
        handle = client.get_workflow_handle(run.id, run_id=run.run_id)
        async for e in handle.fetch_history_events():
            at = e.event_time.ToDatetime()
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                name = e.activity_task_scheduled_event_attributes.activity_type.name
                scheduled[(run.run_id, e.event_id)] = (name, at)
                spans.setdefault(name, [at, at])[0] = min(spans[name][0], at)
            elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
                name, began = scheduled[(run.run_id, e.activity_task_completed_event_attributes.scheduled_event_id)]
                spans[name][1] = max(spans[name][1], at)
                busy.setdefault(name, []).append((at - began).total_seconds())
    for name, (first, last) in spans.items():
        result.history[f"{name}: first scheduled → last completed"] = (last - first).total_seconds()
    for name, durations in busy.items():
        result.history[f"{name}: {len(durations)} × scheduled → completed, sum"] = sum(durations)
    if "transfer_batch" in spans and "record_outcomes" in spans:
        result.history["re-route: first transfer_batch scheduled → last record_outcomes completed"] = (
            spans["record_outcomes"][1] - spans["transfer_batch"][0]).total_seconds()


def alive_codes(on: date) -> set[str]:
    return set(registry_on(on))


async def sample_states(client: Client, ids: list[str], alive: set[str], result: ReorgResult) -> None:
    """Query `status` of each workflow: its state, and whether it waits at a retired agency."""
    async def one(nomination_id: str) -> None:
        handle = client.get_workflow_handle_for(NominationWorkflow.run, workflow_id_for(nomination_id))
        status = await handle.query(NominationWorkflow.status)
        result.states[status.state] += 1
        if status.pending_agency is not None and status.pending_agency not in alive:
            result.checks["workflows pending at a retired agency (status query)"] += 1

    result.checks.setdefault("workflows pending at a retired agency (status query)", 0)
    await gathered(ids, 32, one, result, "status query")


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


async def run_signals(client: Client, n: int, concurrency: int, meter: CpuMeter,
                      result: ReorgResult) -> None:
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
        await gathered(ids, 32, start, result, "start BenchSignalWorkflow")
        started = time.perf_counter()
        await asyncio.sleep(1)  # let the first workflow tasks drain: the signals are measured alone
        cpu = meter.snapshot()
        t1 = time.perf_counter()
        await gathered(ids, concurrency, poke, result, "signal + result")
        wall = time.perf_counter() - t1
        result.cpu_s["(d) raw signals"] = meter.delta(cpu, meter.snapshot())
    result.signals = {"n": n, "concurrency": concurrency, "start_s": round(started - t0, 1),
                      "starts_per_s": n / (started - t0), "signal_wall_s": round(wall, 1),
                      "signals_per_s": len(latencies) / wall,
                      "p50_ms": percentile(latencies, 50) or 0, "p99_ms": percentile(latencies, 99) or 0}


async def run_reorg(runtime, args, meter: Callable[[], CpuMeter], say: Callable[[str], None]) -> ReorgResult:  # type: ignore[no-untyped-def]
    """The whole scenario on a started runtime (`bench.runtime.Runtime`): signals, stack, in flight, apply."""
    rng = random.Random(args.seed)
    inputs, communes, provinces = sample_nominations(args.n, rng)
    to_district = inputs[: round(args.n * args.at_district)]
    result = ReorgResult(args.n, len(to_district), args.batch_size, args.concurrency,
                         provinces=provinces, communes=len(communes))
    client = await Client.connect(runtime.temporal_address)
    if args.signals:
        say(f"(d) raw Temporal: {args.signals} workflows, one signal each, {args.concurrency * 4} in flight")
        await run_signals(client, args.signals, args.concurrency * 4, meter(), result)

    stack = await runtime.start_stack()
    db = {tier: stack.config.data_dir / "db" / f"{tier.value}.db" for tier in TIER_ORDER}
    say(f"(c) {args.n} nominations from {len(communes)} communes in {result.provinces} provinces; "
        f"{len(to_district)} to be forwarded to the district")
    setup_meter = meter()
    cpu, t0 = setup_meter.snapshot(), time.perf_counter()
    await put_in_flight(client, inputs, args.start_concurrency, result)
    result.seconds["start N workflows (client calls)"] = time.perf_counter() - t0
    await wait_count(db[Tier.UNIT], PENDING, args.n, args.timeout, say)
    result.seconds["start → all N pending at the commune"] = time.perf_counter() - t0
    result.rate["in flight (nominations/s)"] = args.n / (time.perf_counter() - t0)
    if to_district:
        t1 = time.perf_counter()
        await forward_to_district(client, to_district, args.start_concurrency, result)
        await wait_count(db[Tier.DISTRICT], PENDING, len(to_district), args.timeout, say)
        result.seconds["forward share → all pending at the district"] = time.perf_counter() - t1
    result.cpu_s["(c) put in flight"] = setup_meter.delta(cpu, setup_meter.snapshot())

    say("advancing the business date to 2025-07-01 (the services restart)")
    t2 = time.perf_counter()
    await asyncio.to_thread(stack.advance_to, EFFECTIVE.isoformat())
    result.seconds["advance_to 2025-07-01 (restart 4 services)"] = time.perf_counter() - t2

    say(f"applying {PLAN}: batch_size {args.batch_size}, concurrency {args.concurrency}")
    cpu_meter = meter()
    cpu = cpu_meter.snapshot()
    async with httpx.AsyncClient(base_url=stack.config.url(Tier.CENTRAL), timeout=120) as central:
        t3 = time.perf_counter()
        status = await apply_and_follow(central, args.batch_size, args.concurrency, args.timeout, result, say)
        applied = time.perf_counter()
        result.cpu_s["(c) apply + re-route"] = cpu_meter.delta(cpu, cpu_meter.snapshot())
        result.outcomes.update(status.get("counts", {}))
        result.checks["candidates found − N"] = status.get("candidates", 0) - args.n
        rows = (await central.get(f"/reorganizations/{PLAN}/outcomes", headers=ADMIN)).json()
        result.rules.update(f"{o['outcome']}: {o['rule']}" for o in rows)
        result.checks["outcome rows − N"] = len(rows) - args.n
    await history_timings(client, result)
    transfers = result.history.get("re-route: first transfer_batch scheduled → last record_outcomes completed") \
        or result.seconds["re-route: transfers, all batches"]
    result.rate["re-route (nominations/s)"] = args.n / transfers if transfers else 0.0
    result.rate["apply POST → done (nominations/s)"] = args.n / (applied - t3)

    say("waiting until every nomination is pending at an agency in force on 2025-07-01")
    alive_sql = PENDING + (" AND EXISTS (SELECT 1 FROM agency a WHERE a.code = review.agency_code "
                           "AND a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to >= ?))")
    on = EFFECTIVE.isoformat()

    def pending_alive() -> int:
        return sum(count_rows(db[t], alive_sql, on, on) for t in TIER_ORDER)

    t4 = time.perf_counter()
    while (found := await asyncio.to_thread(pending_alive)) < args.n and time.perf_counter() - t4 < 120:
        await asyncio.sleep(0.5)
    result.seconds["phase done → all N pending at successors"] = time.perf_counter() - t4
    result.checks["N − pending at agencies in force"] = args.n - found
    for tier in TIER_ORDER:
        stranded = await asyncio.to_thread(count_rows, db[tier], STRANDED, on, on)
        result.checks[f"stranded: pending reviews at retired agencies ({tier.value} DB)"] = stranded
    ids = [n.nomination_id for n in inputs]
    sample = ids if args.status_sample <= 0 else rng.sample(ids, min(args.status_sample, len(ids)))
    say(f"querying the status of {len(sample)} workflows")
    await sample_states(client, sample, alive_codes(EFFECTIVE), result)
    return result


def render(r: ReorgResult, info: dict) -> str:
    m = info["machine"]
    lines = ["", f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, Python {m['python']}",
             f"Versions: {info['versions']}", "",
             f"(c) re-routing {PLAN}: N = {r.requested} nominations from {r.communes} legacy communes in "
             f"{r.provinces} provinces; {r.at_district} pending at the district, the rest at the commune; "
             f"batch_size {r.batch_size}, concurrency {r.concurrency}", ""]
    lines += [f"  {k:<52}{v:>10.1f} s" for k, v in r.seconds.items()]
    lines += ["", "  from the ReorganizationWorkflow's histories:"]
    lines += [f"  {k:<76}{v:>8.1f} s" for k, v in r.history.items()]
    lines += [""] + [f"  {k:<52}{v:>10.1f}" for k, v in r.rate.items()]
    lines += ["", "  outcomes:"] + [f"    {v:>7} × {k}" for k, v in r.outcomes.most_common()]
    lines += ["  outcome rules:"] + [f"    {v:>7} × {k}" for k, v in r.rules.most_common()]
    lines += ["  workflow states (status query sample):"] + [f"    {v:>7} × {k}" for k, v in r.states.most_common()]
    lines += ["", "  checks (all must be 0):"] + [f"    {v:>7}   {k}" for k, v in r.checks.items()]
    if r.errors:
        lines += ["  errors (count × exact text, ids blanked):"]
        lines += [f"    {n:>7} × {text}" for text, n in r.errors.most_common()]
    if r.signals:
        s = r.signals
        lines += ["", f"(d) raw Temporal signals: {s['n']} workflows started in {s['start_s']} s "
                      f"({s['starts_per_s']:.0f}/s); signal → workflow ended, {s['concurrency']} in flight: "
                      f"{s['signals_per_s']:.0f}/s, p50 {s['p50_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms"]
        transfers = r.rate.get("re-route (nominations/s)")
        if transfers and s["signals_per_s"]:
            lines.append(f"  re-route / raw signal throughput: {transfers / s['signals_per_s']:.3f}")
    for phase, cpu in r.cpu_s.items():
        if not cpu:
            continue
        lines += ["", f"  CPU seconds, {phase}:"] + [f"    {k:<40}{v:>8.1f}" for k, v in cpu.items()]
    return "\n".join(lines)
