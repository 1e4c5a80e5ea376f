"""Scenario (c): the 2025 reorganization applied while N nominations are in flight.

N `NominationWorkflow`s are started directly with the Temporal client (not through HTTP), proposed
by legacy communes sampled round-robin across the 63 legacy provinces, for `CSTD_CO_SO` (commune →
district) and `BANG_KHEN_TINH` (commune → district → province). They stay pending at the commune;
a share is forwarded to the district with the `decide` update sent by the bench itself (there are
no officers for arbitrary communes; the update does not check who the officer is, HTTP would).
Then the business date moves to 2025-07-01 and the central board's admin applies
`VN-2025-07-01` through HTTP; the `ReorganizationWorkflow` re-routes every nomination.

(d), for comparison: what bare Temporal needs to touch N running workflows once, a workflow that
waits for one signal and ends, signalled N times (worker in this process, before the stack starts;
`bench/signals.py`). The nominations are sampled and put in flight by `bench/reorg_flight.py`.
"""

import argparse
import asyncio
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from bench.reorg_flight import forward_to_district, gathered, put_in_flight, registry_on, sample_nominations
from bench.report import CpuMeter, error_key
from bench.runtime import Runtime
from bench.signals import run_signals
from deploy.demo_data import demo_token
from shared.contracts.nomination import workflow_id_for
from shared.contracts.reorganization import APPLIED
from shared.contracts.reorganization import workflow_id_for as plan_workflow_id
from shared.contracts.tiers import TIER_ORDER, Tier
from workflows.nomination.workflows import NominationWorkflow

PLAN = "VN-2025-07-01"
EFFECTIVE = date(2025, 7, 1)
ADMIN = {"Authorization": f"Bearer {demo_token('TW-BTDKT', 'admin')}"}
REROUTE = "re-route: first transfer_batch scheduled → last record_outcomes completed"
RETIRED_BY_QUERY = "workflows pending at a retired agency (status query)"

PENDING = "SELECT count(*) FROM review r WHERE r.status = 'pending'"
IN_FORCE = (
    "EXISTS (SELECT 1 FROM agency a WHERE a.code = r.agency_code AND a.valid_from <= ?"
    " AND (a.valid_to IS NULL OR a.valid_to >= ?))"
)
PENDING_IN_FORCE = f"{PENDING} AND {IN_FORCE}"
# Pending at an agency with no version in force on the date: nobody can ever decide it.
STRANDED = f"{PENDING} AND NOT {IN_FORCE}"


@dataclass
class ReorgResult:
    requested: int
    at_district: int
    batch_size: int
    concurrency: int
    provinces: int = 0
    communes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # measured by the bench, in order
    history: dict[str, float] = field(default_factory=dict)  # from the workflow histories
    rate: dict[str, float] = field(default_factory=dict)  # nominations per second
    outcomes: Counter = field(default_factory=Counter)
    rules: Counter = field(default_factory=Counter)
    checks: dict[str, int] = field(default_factory=dict)  # stranded and friends: must be 0
    states: Counter = field(default_factory=Counter)  # workflow states in the status sample
    cpu_s: dict[str, dict[str, float]] = field(default_factory=dict)  # phase → process → s
    errors: Counter = field(default_factory=Counter)
    signals: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {k: dict(v) if isinstance(v, Counter) else v for k, v in vars(self).items()}


def count_rows(db: Path, sql: str, *params: object) -> int:
    """Read a service's SQLite database directly (read-only): cheaper than any API for counts."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as conn:
        return conn.execute(sql, params).fetchone()[0]


async def wait_until(
    count: Callable[[], int], expected: int, limit: float, what: str, say: Callable[[str], None]
) -> int:
    """Poll `count` (in a thread) until it reaches `expected`; say how far it got every 15 s."""
    started = said = time.perf_counter()
    while (found := await asyncio.to_thread(count)) < expected:
        if time.perf_counter() - started > limit:
            raise TimeoutError(f"{what}: {found}/{expected} after {limit:.0f}s")
        if time.perf_counter() - said > 15:
            say(f"  {what}: {found}/{expected}")
            said = time.perf_counter()
        await asyncio.sleep(0.5)  # noqa: ASYNC110 - polling another process's database
    return found


async def apply_and_follow(
    central: httpx.AsyncClient,
    batch_size: int,
    concurrency: int,
    limit: float,
    result: ReorgResult,
    say: Callable[[str], None],
) -> dict:
    """POST the apply as the central board's admin; poll the progress until the plan is applied."""
    r = await central.post(
        f"/reorganizations/{PLAN}/apply", headers=ADMIN, params={"batch_size": batch_size, "concurrency": concurrency}
    )
    if r.status_code != 202 or not r.json().get("started"):
        raise RuntimeError(f"apply: {r.status_code} {r.text}")
    started = said = time.perf_counter()
    status: dict = {}
    while status.get("phase") not in APPLIED:
        await asyncio.sleep(0.5)
        r = await central.get(f"/reorganizations/{PLAN}", headers=ADMIN)
        if r.status_code == 200:
            status = r.json()
        else:  # counted; the next poll may succeed (e.g. a query timed out on a busy worker)
            result.errors[error_key(f"GET /reorganizations/{PLAN}: {r.status_code} {r.text}")] += 1
        if time.perf_counter() - started > limit:
            raise TimeoutError(f"the plan was not applied within {limit:.0f}s: {status}")
        if time.perf_counter() - said > 15:
            done, of = status.get("processed"), status.get("candidates")
            say(f"  phase {status.get('phase')}: {done}/{of}")
            said = time.perf_counter()
    return status


async def history_timings(client: Client, result: ReorgResult) -> None:
    """Phase times from the ReorganizationWorkflow's histories (every continue-as-new run): first
    scheduled → last completed of each activity type, and the activities' summed durations."""
    scheduled: dict[tuple[str, int], tuple[str, datetime]] = {}
    spans: dict[str, list[datetime]] = {}
    busy: dict[str, list[float]] = {}
    async for run in client.list_workflows(f"WorkflowId = '{plan_workflow_id(PLAN)}'"):
        handle = client.get_workflow_handle(run.id, run_id=run.run_id)
        async for e in handle.fetch_history_events():
            at = e.event_time.ToDatetime()
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                name = e.activity_task_scheduled_event_attributes.activity_type.name
                scheduled[(run.run_id, e.event_id)] = (name, at)
                span = spans.setdefault(name, [at, at])
                span[0] = min(span[0], at)
            elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
                key = (run.run_id, e.activity_task_completed_event_attributes.scheduled_event_id)
                name, began = scheduled[key]
                spans[name][1] = max(spans[name][1], at)
                busy.setdefault(name, []).append((at - began).total_seconds())
    for name, (first, last) in spans.items():
        result.history[f"{name}: first scheduled → last completed"] = (last - first).total_seconds()
    for name, durations in busy.items():
        result.history[f"{name}: {len(durations)} × scheduled → completed, summed"] = sum(durations)
    if "transfer_batch" in spans and "record_outcomes" in spans:
        rerouted = spans["record_outcomes"][1] - spans["transfer_batch"][0]
        result.history[REROUTE] = rerouted.total_seconds()


async def sample_states(client: Client, ids: list[str], result: ReorgResult) -> None:
    """Query each workflow's `status`: its state, and whether it waits at a retired agency."""
    alive = set(registry_on(EFFECTIVE))
    result.checks[RETIRED_BY_QUERY] = 0

    async def one(nomination_id: str) -> None:
        handle = client.get_workflow_handle_for(NominationWorkflow.run, workflow_id_for(nomination_id))
        status = await handle.query(NominationWorkflow.status)
        result.states[status.state] += 1
        if status.pending_agency is not None and status.pending_agency not in alive:
            result.checks[RETIRED_BY_QUERY] += 1

    await gathered(ids, 32, one, result.errors, "status query")


async def run_reorg(
    runtime: Runtime, args: argparse.Namespace, meter: Callable[[], CpuMeter], say: Callable[[str], None]
) -> ReorgResult:
    """The scenario on a `bench.runtime.Runtime` whose broker and Temporal are up."""
    rng = random.Random(args.seed)
    inputs, communes, provinces = sample_nominations(args.n, rng)
    to_district = inputs[: round(args.n * args.at_district)]
    result = ReorgResult(
        args.n, len(to_district), args.batch_size, args.concurrency, provinces=provinces, communes=len(communes)
    )
    client = await Client.connect(runtime.temporal_address)
    if args.signals:
        say(f"(d) raw Temporal: {args.signals} workflows, one signal each, {args.concurrency * 4} in flight")
        result.signals, result.cpu_s["(d) raw signals"] = await run_signals(
            client, args.signals, args.concurrency * 4, meter(), result.errors
        )

    stack = await runtime.start_stack()
    db = {tier: stack.config.data_dir / "db" / f"{tier.value}.db" for tier in TIER_ORDER}
    say(
        f"(c) {args.n} nominations from {len(communes)} communes in {provinces} provinces; "
        f"{len(to_district)} to be forwarded to the district"
    )
    setup = meter()
    cpu, t0 = setup.snapshot(), time.perf_counter()
    await put_in_flight(client, inputs, args.start_concurrency, result.errors)
    result.seconds["start N workflows (client calls)"] = time.perf_counter() - t0
    await wait_until(lambda: count_rows(db[Tier.UNIT], PENDING), args.n, args.timeout, "pending at the commune", say)
    result.seconds["start → all N pending at the commune"] = time.perf_counter() - t0
    result.rate["put in flight (nominations/s)"] = args.n / (time.perf_counter() - t0)
    if to_district:
        t1 = time.perf_counter()
        await forward_to_district(client, to_district, args.start_concurrency, result.errors)
        await wait_until(
            lambda: count_rows(db[Tier.DISTRICT], PENDING),
            len(to_district),
            args.timeout,
            "pending at the district",
            say,
        )
        result.seconds["forward the share → all pending at the district"] = time.perf_counter() - t1
    result.cpu_s["(c) put in flight"] = setup.delta(cpu, setup.snapshot())

    say("advancing the business date to 2025-07-01 (the services restart)")
    t2 = time.perf_counter()
    await asyncio.to_thread(stack.advance_to, EFFECTIVE.isoformat())
    result.seconds["advance_to 2025-07-01 (4 services restart)"] = time.perf_counter() - t2

    say(f"applying {PLAN}: batch_size {args.batch_size}, concurrency {args.concurrency}")
    reroute = meter()
    cpu = reroute.snapshot()
    async with httpx.AsyncClient(base_url=stack.config.url(Tier.CENTRAL), timeout=120) as central:
        t3 = time.perf_counter()
        status = await apply_and_follow(central, args.batch_size, args.concurrency, args.timeout, result, say)
        result.seconds["apply POST → progress shows phase done"] = time.perf_counter() - t3
        result.cpu_s["(c) apply + re-route"] = reroute.delta(cpu, reroute.snapshot())
        result.outcomes.update(status.get("counts", {}))
        result.checks["candidates found − N"] = status.get("candidates", 0) - args.n
        rows = (await central.get(f"/reorganizations/{PLAN}/outcomes", headers=ADMIN)).json()
        result.rules.update(f"{o['outcome']}: {o['rule']}" for o in rows)
        result.checks["outcome rows − N"] = len(rows) - args.n
    await history_timings(client, result)
    if result.history.get(REROUTE):
        result.rate["re-route (nominations/s)"] = args.n / result.history[REROUTE]
    result.rate["apply POST → done (nominations/s)"] = args.n / result.seconds["apply POST → progress shows phase done"]

    on = EFFECTIVE.isoformat()
    t4 = time.perf_counter()
    found = await wait_until(
        lambda: sum(count_rows(db[t], PENDING_IN_FORCE, on, on) for t in TIER_ORDER),
        args.n,
        300,
        "pending at an agency in force on 2025-07-01",
        say,
    )
    result.seconds["phase done → all N pending at agencies in force"] = time.perf_counter() - t4
    result.checks["N − pending at agencies in force"] = args.n - found
    for tier in TIER_ORDER:
        stranded = await asyncio.to_thread(count_rows, db[tier], STRANDED, on, on)
        result.checks[f"stranded: pending reviews at retired agencies ({tier.value} DB)"] = stranded
    ids = [n.nomination_id for n in inputs]
    sample = ids if args.status_sample <= 0 else rng.sample(ids, min(args.status_sample, len(ids)))
    say(f"querying the status of {len(sample)} workflows")
    await sample_states(client, sample, result)
    return result


def render(r: ReorgResult, info: dict) -> str:
    m = info["machine"]
    lines = [
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, Python {m['python']}",
        f"Versions: {info['versions']}",
        "",
        f"(c) re-routing {PLAN}: N = {r.requested} nominations from {r.communes} legacy communes "
        f"in {r.provinces} provinces, {r.at_district} of them pending at the district, the rest "
        f"at the commune; batch_size {r.batch_size}, concurrency {r.concurrency}",
        "",
    ]
    lines += [f"  {k:<62}{v:>10.1f} s" for k, v in r.seconds.items()]
    lines += ["", "  from the ReorganizationWorkflow's histories:"]
    lines += [f"  {k:<76}{v:>8.1f} s" for k, v in r.history.items()]
    lines += [""] + [f"  {k:<62}{v:>10.1f}" for k, v in r.rate.items()]
    for title, counts in (
        ("outcomes", r.outcomes),
        ("outcome: rule", r.rules),
        ("workflow states (status query)", r.states),
        ("errors (count × exact text, ids blanked)", r.errors),
    ):
        if counts:
            lines += ["", f"  {title}:"] + [f"    {v:>7} × {k}" for k, v in counts.most_common()]
    lines += ["", "  checks (all must be 0):"] + [f"    {v:>7}   {k}" for k, v in r.checks.items()]
    if r.signals:
        s = r.signals
        lines += [
            "",
            f"(d) raw Temporal: {s['n']} workflows started in {s['start_s']} s "
            f"({s['starts_per_s']:.0f}/s); signal → workflow ended, {s['concurrency']} "
            f"in flight: {s['signals_per_s']:.0f}/s, p50 {s['p50_ms']:.0f} ms, "
            f"p99 {s['p99_ms']:.0f} ms",
        ]
        rerouted = r.rate.get("re-route (nominations/s)")
        if rerouted and s["signals_per_s"]:
            lines.append(f"  re-route ÷ raw signal throughput: {rerouted / s['signals_per_s']:.3f}")
    for phase, cpu in r.cpu_s.items():
        busy = sum(cpu.values())
        lines += ["", f"  CPU seconds, {phase} (total {busy:.1f}):"]
        lines += [f"    {k:<40}{v:>8.1f}" for k, v in cpu.items()]
    return "\n".join(lines)
