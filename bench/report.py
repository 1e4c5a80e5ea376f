"""Results of one scenario, CPU accounting of the processes involved, and the printed table."""

import json
import os
import platform
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (no interpolation): p99 of 800 samples is the 792nd smallest."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


def summary(values: list[float]) -> dict[str, float | int | None]:
    return {
        "count": len(values),
        "p50_ms": percentile(values, 50),
        "p99_ms": percentile(values, 99),
        "mean_ms": sum(values) / len(values) if values else None,
        "max_ms": max(values) if values else None,
    }


_UUIDISH = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}|[0-9A-Z]{26}")


def error_key(text: str) -> str:
    """An error's text with identifiers blanked, so that equal errors are counted together."""
    return _UUIDISH.sub("<id>", text.strip())[:400]


@dataclass
class ScenarioResult:
    name: str
    unit: str  # what one item is: "workflow" or "nomination"
    requested: int
    concurrency: int
    completed: int = 0
    failed: int = 0
    wall_s: float = 0.0
    decision_ms: list[float] = field(default_factory=list)
    # Other timings worth seeing next to the decisions (start → first activity, submit → inbox...).
    other_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)  # failures that ended an item
    retried: Counter = field(default_factory=Counter)  # transient rejections, retried
    counters: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)

    @property
    def items_per_s(self) -> float:
        return self.completed / self.wall_s if self.wall_s else 0.0

    @property
    def decisions_per_s(self) -> float:
        return len(self.decision_ms) / self.wall_s if self.wall_s else 0.0

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("decision_ms")
        data.pop("other_ms")
        data["errors"] = dict(self.errors)
        data["retried"] = dict(self.retried)
        data["items_per_s"] = self.items_per_s
        data["decisions_per_s"] = self.decisions_per_s
        data["per_decision"] = summary(self.decision_ms)
        data["other"] = {k: summary(v) for k, v in self.other_ms.items()}
        return data


_MACHINE = "_machine"
OTHERS = "other processes on this machine"
BENCH = "bench process (clients; raw worker)"
_BUSY = ("user", "nice", "system", "irq", "softirq")


class CpuMeter:
    """CPU seconds (user + system) of named process trees, read from /proc through psutil."""

    def __init__(self) -> None:
        self.pids: dict[str, list[tuple[int, bool]]] = {}

    def watch(self, label: str, pid: int, *, tree: bool = True) -> None:
        """`tree`: add the process's descendants (not for the bench process: its children are
        the broker, Temporal and the services, each measured under its own label)."""
        self.pids.setdefault(label, []).append((pid, tree))

    @staticmethod
    def _cpu(pid: int, tree: bool) -> float:
        try:
            root = psutil.Process(pid)
            total = 0.0
            for proc in [root, *(root.children(recursive=True) if tree else [])]:
                try:
                    t = proc.cpu_times()
                    total += t.user + t.system
                except psutil.NoSuchProcess:
                    pass
            return total
        except psutil.NoSuchProcess:
            return 0.0

    def snapshot(self) -> dict[str, float]:
        found = {label: sum(self._cpu(pid, tree) for pid, tree in watched) for label, watched in self.pids.items()}
        t = psutil.cpu_times()  # the whole machine, to show what else competed for the CPUs
        found[_MACHINE] = sum(getattr(t, f, 0.0) for f in _BUSY)
        return found

    @staticmethod
    def delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        used = {k: after[k] - before.get(k, 0.0) for k in after if k != _MACHINE}
        used[OTHERS] = max(0.0, after[_MACHINE] - before[_MACHINE] - sum(used.values()))
        return {k: round(v, 2) for k, v in used.items()}


def machine() -> dict[str, str | int | None]:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def system_cpu_s(r: ScenarioResult) -> float:
    """CPU seconds of the system under test: every measured process but the bench's own (the
    clients, and in (a) the worker) and the machine's other work."""
    return sum(v for k, v in r.cpu_s.items() if k not in (BENCH, OTHERS))


def cpu_per_decision(r: ScenarioResult) -> float | None:
    return system_cpu_s(r) / len(r.decision_ms) if r.decision_ms and r.cpu_s else None


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def render(raw: ScenarioResult | None, tdkt: ScenarioResult | None, info: dict) -> str:
    lines = [
        "",
        f"Machine: {info['machine']['nproc']} CPUs ({info['machine']['cpu_model']}), "
        f"{info['machine']['memory_gib']} GiB, Python {info['machine']['python']}",
        f"Versions: {info['versions']}",
        "",
    ]
    head = (
        f"{'scenario':<26}{'done':>10}{'conc':>6}{'wall s':>9}{'items/s':>9}"
        f"{'decisions/s':>13}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
        f"{'retried':>9}"
    )
    lines += [head, "-" * len(head)]
    for label, r in (("(a) raw Temporal", raw), ("(b) tdkt via HTTP", tdkt)):
        if r is None:
            continue
        s = summary(r.decision_ms)
        lines.append(
            f"{label:<26}{f'{r.completed}/{r.requested}':>10}{r.concurrency:>6}{r.wall_s:>9.1f}"
            f"{r.items_per_s:>9.2f}{r.decisions_per_s:>13.2f}{_ms(s['p50_ms']):>9}"
            f"{_ms(s['p99_ms']):>9}{_ms(s['max_ms']):>9}{sum(r.errors.values()):>8}"
            f"{sum(r.retried.values()):>9}"
        )
    if raw and tdkt and raw.decisions_per_s:
        lines += [
            "",
            f"Throughput ratio (b)/(a): {tdkt.decisions_per_s / raw.decisions_per_s:.3f} "
            f"(decisions/s; items/s {tdkt.items_per_s / raw.items_per_s:.3f})",
        ]
    per_decision = cpu_per_decision(tdkt) if tdkt else None
    if tdkt and per_decision is not None:
        if not (raw and raw.decisions_per_s):
            lines.append("")
        lines.append(
            f"CPU per decision (b): {per_decision:.3f} s = {system_cpu_s(tdkt):.1f} CPU s of the tdkt processes "
            f"/ {len(tdkt.decision_ms)} decisions (the CPU table's (b) column without the bench process and "
            "other processes; the interval includes the preparation steps)"
        )
    for r in (raw, tdkt):
        if r is None:
            continue
        lines += ["", f"{r.name}: other timings"]
        for key, values in r.other_ms.items():
            s = summary(values)
            lines.append(f"  {key:<50} p50 {_ms(s['p50_ms']):>7} ms   p99 {_ms(s['p99_ms']):>7} ms   n={s['count']}")
        for key, value in r.counters.items():
            lines.append(f"  {key:<50} {value:g}")
        for title, counts in (("errors", r.errors), ("retried rejections", r.retried)):
            if counts:
                lines.append(f"  {title} (count × exact text, ids blanked):")
                lines += [f"    {n:>5} × {text}" for text, n in counts.most_common()]
    labels = list(dict.fromkeys([*(raw.cpu_s if raw else {}), *(tdkt.cpu_s if tdkt else {})]))
    if labels:
        title = "CPU seconds during the measured run"
        lines += ["", f"{title:<40}{'(a) raw':>10}{'(b) tdkt':>10}"]
        for label in labels:
            a = f"{raw.cpu_s[label]:.1f}" if raw and label in raw.cpu_s else "-"
            b = f"{tdkt.cpu_s[label]:.1f}" if tdkt and label in tdkt.cpu_s else "-"
            lines.append(f"  {label:<38}{a:>10}{b:>10}")
        for r in (raw, tdkt):
            if r and r.wall_s:
                busy = sum(r.cpu_s.values())
                lines.append(
                    f"  {r.name}: {busy:.1f} CPU s in {r.wall_s:.1f} s wall "
                    f"= {busy / r.wall_s:.2f} of {os.cpu_count()} cores busy on average"
                )
                others = r.cpu_s.get(OTHERS, 0.0) / r.wall_s
                if others > 0.1:
                    lines.append(
                        f"  WARNING: other processes used {others:.2f} cores during "
                        f"{r.name}; its figures understate what this machine can do"
                    )
    return "\n".join(lines)


def write_json(path: Path, raw: ScenarioResult | None, tdkt: ScenarioResult | None, info: dict) -> None:
    data = {
        **info,
        "raw": raw.to_json() if raw else None,
        "tdkt": tdkt.to_json() if tdkt else None,
        "tdkt_cpu_s_per_decision": cpu_per_decision(tdkt) if tdkt else None,
        "ratio_decisions_per_s": (tdkt.decisions_per_s / raw.decisions_per_s)
        if raw and tdkt and raw.decisions_per_s
        else None,
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
