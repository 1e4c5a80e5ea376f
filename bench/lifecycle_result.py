"""What scenario (e) (`bench/lifecycle.py`) measured and found: its steps in the order of a
nomination's life, the checks after the run (all must be 0) and the printed table."""

import asyncio
from collections import Counter
from dataclasses import dataclass, field

import httpx

from bench.report import OTHERS, ScenarioResult, error_key, percentile
from bench.steps import BALLOT, CLOSE, COUNCIL, MEETING, POSTING, VOTE, auth
from deploy.demo_data import CENTRAL_BOARD, HON_DAT, KIEN_GIANG
from shared.contracts.tiers import TIER_ORDER, Tier

# Who may run /audit/verify in each tier's service below the proposer's (auditors, admins); at
# the proposer's, its chair.
VERIFIERS = {
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
    POSTING,
    COUNCIL,
    MEETING,
    VOTE,
    CLOSE,
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


@dataclass
class LifecycleResult(ScenarioResult):
    award: str = ""
    proposer: str = ""
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
    unit, proposer = clients[Tier.UNIT], result.proposer
    r = await _ask(unit, "/nominations", proposer, "clerk", result)
    mine = {n["id"]: n["status"] for n in r.json()} if r else {}
    result.checks["nominations that failed during the run"] = result.failed
    result.checks["not conferred in the unit's view (GET /nominations)"] = sum(mine.get(i) != "conferred" for i in ids)
    gate = asyncio.Semaphore(16)

    async def state(nomination_id: str) -> None:
        async with gate:
            s = await _ask(unit, f"/nominations/{nomination_id}/status", proposer, "clerk", result)
            result.states[s.json()["state"] if s else "(no answer)"] += 1

    await asyncio.gather(*(state(i) for i in ids))
    result.checks["stuck: workflows not conferred (status query)"] = len(ids) - result.states["conferred"]
    for step in result.route:
        agency = step["agency_code"]
        r = await _ask(clients[Tier(step["tier"])], "/inbox", agency, "chair", result)
        result.checks[f"stuck: pending in {agency}'s inbox"] = int(r.headers["X-Total-Count"]) if r else -1
    for tier in TIER_ORDER:
        agency, role = VERIFIERS.get(tier, (proposer, "chair"))
        r = await _ask(clients[tier], "/audit/verify", agency, role, result)
        chain = r.json() if r else {"valid": False}
        result.chains[tier.value] = chain
        result.checks[f"audit chain broken ({tier.value} service)"] = 0 if chain.get("valid") else 1


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
        f"(e) lifecycle: N = {r.requested} × {r.award} from {r.proposer}, route {route or '?'}; "
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
