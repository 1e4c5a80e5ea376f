"""What scenario (h), the annual round (`bench/annual.py`), measured, and the table it prints."""

import os
from collections import Counter
from dataclasses import asdict, dataclass, field

from bench.annual_floor import Floor
from bench.report import BENCH, OTHERS, summary

IMPORT = "import (tờ trình, CSV, documents)"
SUBMIT = "submit (workflow starts)"
ARRIVAL = "until the inbox shows every candidate"
PREPARATION = "preparation (council ballots)"
DECISIONS = "decisions (one POST /reviews/decisions or /decisions per tờ trình)"
SEEN = "until the proposer sees every conferral"
PIPELINE = "every tờ trình from import to its proposer's view, K at a time"
TARGET = 100_000  # a province's base-level titles in a year (issue 12)
ONE_BY_ONE = 1.22  # nominations/s of scenario (b), one by one along a six-level route (docs/performance.md)


@dataclass
class Phase:
    name: str
    wall_s: float
    cpu_s: dict[str, float]

    @property
    def system_cpu_s(self) -> float:
        """CPU seconds of tdkt's processes: every one measured but the bench's and the machine's others."""
        return sum(v for k, v in self.cpu_s.items() if k not in (BENCH, OTHERS))


@dataclass
class AnnualResult:
    n: int
    batches: int
    batch_size: int
    concurrency: int
    wall_s: float = 0.0
    conferred: int = 0
    phases: list[Phase] = field(default_factory=list)
    routes: dict[str, str] = field(default_factory=dict)
    calls: Counter = field(default_factory=Counter)
    latency_ms: dict[str, list[float]] = field(default_factory=dict)
    failed_batches: dict[str, str] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    retried: dict[str, int] = field(default_factory=dict)
    floor: list[Floor] = field(default_factory=list)  # bare Temporal for the same candidates

    def add_phase(self, name: str, wall_s: float, cpu_s: dict[str, float]) -> None:
        self.phases.append(Phase(name, wall_s, cpu_s))

    def cpu_s(self) -> dict[str, float]:
        total: Counter = Counter()
        for phase in self.phases:
            total.update(phase.cpu_s)
        return {k: round(v, 1) for k, v in total.items()}

    @property
    def per_s(self) -> float:
        return self.conferred / self.wall_s if self.wall_s else 0.0

    def failed(self) -> bool:
        return bool(self.failed_batches or self.errors) or self.conferred != self.n

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("latency_ms")
        data["phases"] = [{**asdict(p), "system_cpu_s": round(p.system_cpu_s, 1)} for p in self.phases]
        data["calls"] = dict(self.calls)
        data["latency"] = {k: summary(v) for k, v in self.latency_ms.items()}
        data["cpu_s"] = self.cpu_s()
        data["nominations_per_s"] = self.per_s
        data["extrapolated_to_100000_s"] = TARGET / self.per_s if self.per_s else None
        data["floor"] = [{**asdict(f), "cpu_s_per_candidate": round(f.per_candidate, 4)} for f in self.floor]
        return data


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def render(r: AnnualResult, info: dict) -> str:
    m = info["machine"]
    lines = [
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, Python {m['python']}",
        f"Versions: {info['versions']}",
        "",
        f"Annual round: N = {r.n:,} candidates, {r.batches} tờ trình of up to {r.batch_size}, "
        f"{r.concurrency} HTTP calls in flight; {r.conferred:,} conferred and seen by their proposer",
        "Routes (GET /routes):",
        *(f"  {key:<32} {route}" for key, route in r.routes.items()),
        "",
        f"{'phase':<72}{'wall s':>9}{'share':>7}{'calls':>8}{'tdkt CPU s':>12}",
    ]
    lines.append("-" * len(lines[-1]))
    for p in r.phases:
        share = p.wall_s / r.wall_s if r.wall_s else 0.0
        lines.append(f"{p.name:<72}{p.wall_s:>9.1f}{share:>7.0%}{r.calls.get(p.name, 0):>8,}{p.system_cpu_s:>12.1f}")
    system = sum(p.system_cpu_s for p in r.phases)
    lines += [
        f"{'the round, import to the last conferral seen':<72}{r.wall_s:>9.1f}{'':>7}{sum(r.calls.values()):>8,}"
        f"{system:>12.1f}",
        "",
        f"Throughput: {r.per_s:.2f} nominations/s ({r.conferred:,} in {r.wall_s:,.1f} s); "
        f"tdkt CPU {system / max(r.conferred, 1):.3f} s per nomination",
    ]
    if r.n >= TARGET:
        lines.append(f"MEASURED: the round of {r.n:,} candidates took {r.wall_s / 3600:.2f} h (aim: under 1 h)")
    elif r.per_s:
        hours = TARGET / r.per_s / 3600
        lines.append(
            f"EXTRAPOLATED, NOT MEASURED: {TARGET:,} candidates at this rate would take {hours:.1f} h "
            f"({system / max(r.conferred, 1) * TARGET / 3600:.1f} tdkt CPU hours), assuming it stays linear; "
            f"one by one at {ONE_BY_ONE} nominations/s: {TARGET / ONE_BY_ONE / 3600:.0f} h"
        )
    if r.floor:
        lines += ["", "Bare Temporal for the same candidates (this run, same server; the round's workflows, empty):"]
        for f in r.floor:
            lines.append(
                f"  {f.design:<24} {f.workflows:>7,} workflows {f.wall_s:>8.1f} s  CPU s per candidate "
                f"{f.per_candidate:.4f} (server {f.temporal_cpu_s:.1f}, SDK and worker {f.sdk_cpu_s:.1f}); "
                f"{TARGET:,} would need {f.per_candidate * TARGET / 3600:.2f} CPU hours"
            )
        lines.append(f"  tdkt: {system / max(r.conferred, 1):.4f} CPU s per candidate")
    lines += ["", "Latency of the calls (ms):"]
    for key, values in r.latency_ms.items():
        s = summary(values)
        spread = f"p50 {_ms(s['p50_ms']):>7}  p99 {_ms(s['p99_ms']):>7}  max {_ms(s['max_ms']):>7}"
        lines.append(f"  {key:<70} {spread}  n={s['count']}")
    cpu = r.cpu_s()
    lines += [
        "",
        f"{'CPU seconds per process':<42}{'round':>8}  " + " ".join(f"{i + 1:>6}" for i in range(len(r.phases))),
    ]
    for label, seconds in cpu.items():
        each = " ".join(f"{p.cpu_s.get(label, 0.0):>6.1f}" for p in r.phases)
        lines.append(f"  {label:<40}{seconds:>8.1f}  {each}")
    lines.append("  (columns 1, 2, ...: the phases in the order of the table above)")
    busy = sum(cpu.values())
    if r.wall_s:
        lines.append(f"  {busy:.1f} CPU s in {r.wall_s:.1f} s = {busy / r.wall_s:.2f} of {os.cpu_count()} cores busy")
        if cpu.get(OTHERS, 0.0) / r.wall_s > 0.1:
            lines.append(f"  WARNING: other processes used {cpu[OTHERS] / r.wall_s:.2f} cores; figures understate")
    for title, counts in (("errors", r.errors), ("retried rejections", r.retried)):
        if counts:
            lines.append(f"{title} (count × exact text, ids blanked):")
            lines += [f"  {n:>5} × {text}" for text, n in Counter(counts).most_common()]
    if r.failed_batches:
        lines.append(f"FAILED: {len(r.failed_batches)} tờ trình stopped: {dict(list(r.failed_batches.items())[:10])}")
    return "\n".join(lines)
