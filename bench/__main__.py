"""`python -m bench` (or `make bench`): one benchmark run on the embedded stack.

(a) the ceiling: a bare Temporal workflow of the same shape as a 6-level route, run in-process;
(b) tdkt: nominations through the HTTP API of the four tier services, Kafka and Temporal, each
level holding the public posting and council ballot the law asks before it forwards.
Prints a table of both, the throughput ratio (b)/(a), the CPU seconds per decision of (b) and the CPU
seconds of each process.

`python -m bench reorg --n 20000` runs scenario (c) instead: the 2025 reorganization re-routing N
nominations in flight, with raw Temporal signal throughput for comparison (`bench/reorg.py`).

`python -m bench console` runs scenario (f) instead: the console's inbox and nomination page over
100,000 reviews, in process (`bench/console.py`).

`python -m bench candidates --n 5000` runs scenario (g) instead: candidates for the base titles
imported into a tờ trình from a CSV file, in process (`bench/candidates.py`).

`python -m bench soak --n 20 --seconds 180` runs the soak instead: nominations while a random process
is killed and restarted every few seconds; prints what was lost or done twice (`bench/soak.py`).

`python -m bench annual --n 1000` runs scenario (h) instead: a province's annual round of base-level
titles, imported and proposed in tờ trình by the demo units, each decided by one batch decision
(`bench/annual.py`).

`python -m bench lifecycle --n 200` runs scenario (e) instead: the realistic life of N nominations
(dossier, council ballots, a share returned once, forwards, conferral), step by step
(`bench/lifecycle.py`).
"""

import argparse
import asyncio
import datetime
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from temporalio.client import Client

from bench import annual, annual_result, candidates, console, lifecycle, lifecycle_result, reorg, soak
from bench.raw import run_raw
from bench.report import BENCH, CpuMeter, ScenarioResult, machine, render, write_json
from bench.runtime import Runtime, versions
from bench.tdkt import run_tdkt

R = TypeVar("R")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = p.add_argument
    add("--nominations", type=int, default=200, help="nominations in scenario (b); 0 skips it")
    add("--raw", type=int, default=200, help="workflows in scenario (a); 0 skips it")
    add("--concurrency", type=int, default=16, help="items in flight at once (both scenarios)")
    add("--poll-ms", type=int, default=50, help="inbox polling interval in scenario (b)")
    add("--timeout", type=float, default=60, help="seconds one step may take before it fails")
    add("--log-level", default="INFO", help="LOG_LEVEL of the services and the worker")
    add("--json", type=Path, help="also write the results as JSON to this path")
    add("--keep", action="store_true", help="keep the temporary directory (databases, logs)")
    return p.parse_args(argv)


def parse_reorg(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench reorg", description=reorg.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = p.add_argument
    add("--n", type=int, default=200, help="nominations in flight when the plan is applied")
    add("--at-district", type=float, default=0.25, help="share forwarded to the district first")
    add("--batch-size", type=int, default=200, help="apply: nominations per batch activity")
    add("--concurrency", type=int, default=16, help="apply: transfers in flight within a batch")
    add("--start-concurrency", type=int, default=32, help="workflow starts / forwards in flight")
    add("--signals", type=int, default=-1, help="(d): signalled workflows (default N; 0 skips)")
    add("--status-sample", type=int, default=1000, help="workflows queried (0: all)")
    add("--timeout", type=float, default=3600, help="seconds any one wait may take")
    add("--seed", type=int, default=2025, help="random seed of the communes and ids")
    add("--log-level", default="INFO", help="LOG_LEVEL of the services and the worker")
    add("--json", type=Path, help="also write the results as JSON to this path")
    add("--keep", action="store_true", help="keep the temporary directory (databases, logs)")
    args = p.parse_args(argv)
    if args.signals < 0:
        args.signals = args.n
    return args


def parse_lifecycle(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench lifecycle",
        description=lifecycle.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = p.add_argument
    add("--n", type=int, default=200, help="nominations, each from draft to conferral")
    add("--concurrency", type=int, default=16, help="nominations in flight at once")
    add(
        "--return-share",
        type=float,
        default=0.1,
        help="share returned once by the first receiving level, then resubmitted",
    )
    add("--poll-ms", type=int, default=50, help="inbox polling interval (one poller per inbox)")
    add(
        "--view-poll-ms",
        type=int,
        default=250,
        help="polling interval of the unit's view of a nomination (one poller per nomination)",
    )
    add("--timeout", type=float, default=120, help="seconds one step may take before it fails")
    add("--log-level", default="INFO", help="LOG_LEVEL of the services and the worker")
    add("--json", type=Path, help="also write the results as JSON to this path")
    add("--keep", action="store_true", help="keep the temporary directory (databases, logs)")
    args = p.parse_args(argv)
    if not 0 <= args.return_share <= 1:
        p.error("--return-share is a share between 0 and 1")
    return args


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _meter(runtime: Runtime) -> CpuMeter:
    meter = CpuMeter()
    if runtime.broker and runtime.broker.proc:
        meter.watch("broker (tansu)", runtime.broker.proc.pid)
    if runtime.temporal and runtime.temporal.proc:
        meter.watch("temporal dev server", runtime.temporal.proc.pid)
    if runtime.postgres is not None and (postmaster := runtime.postgres.pid()):
        meter.watch("PostgreSQL (every service's database)", postmaster)
    if runtime.stack is not None:
        for tier, child in runtime.stack.services.items():
            if child.proc:
                meter.watch(f"{tier.value} service", child.proc.pid)
        if runtime.stack.worker.proc:
            meter.watch("workflow worker", runtime.stack.worker.proc.pid)
    meter.watch(BENCH, os.getpid(), tree=False)
    return meter


Results = tuple[ScenarioResult | None, ScenarioResult | None]


async def on_runtime(args: argparse.Namespace, data_dir: Path, scenario: Callable[[Runtime], Awaitable[R]]) -> R:
    """Start the broker and Temporal, run `scenario`, stop every child process whatever happens."""
    runtime = Runtime(
        data_dir, log_level=args.log_level, say=say, database=getattr(args, "database", "sqlite"),
        unit_processes=getattr(args, "unit_processes", 1),
    )  # fmt: skip
    try:
        await runtime.start_infrastructure()
        return await scenario(runtime)
    except BaseException:
        say(f"stopped before the end; the child processes' logs are in {data_dir / 'logs'}")
        raise
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut cleanup short
            signal.signal(signum, signal.SIG_IGN)
        say("stopping every child process")
        runtime.stop()


async def scenarios_ab(runtime: Runtime, args: argparse.Namespace) -> Results:
    raw = tdkt = None
    if args.raw:
        client = await Client.connect(runtime.temporal_address)
        say(f"(a) raw Temporal: {args.raw} workflows, {args.concurrency} in flight")
        raw = await run_raw(client, args.raw, args.concurrency, _meter(runtime), args.timeout)
    if args.nominations:
        stack = await runtime.start_stack()
        say(
            f"(b) tdkt: {args.nominations} nominations, {args.concurrency} in flight, "
            f"inbox polled every {args.poll_ms} ms"
        )
        tdkt = await run_tdkt(
            stack.config.url, args.nominations, args.concurrency, _meter(runtime), args.poll_ms / 1000, args.timeout
        )
    return raw, tdkt


def _interrupt(_signum: int, _frame: object) -> None:
    """Ctrl-C or SIGTERM: unwind at once, even out of blocking start-up code; `on_runtime` cleans up."""
    raise KeyboardInterrupt


def run_scenario(
    name: str,
    args: argparse.Namespace,
    scenario: Callable[[Runtime], Awaitable[R]],
    show: Callable[[R, dict], str],
    write: Callable[[Path, R, dict], None],
    failed: Callable[[R], bool],
) -> int:
    """One run in a temporary directory: the table on stdout, `--json`, exit code 1 on failure."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    data_dir = Path(tempfile.mkdtemp(prefix=f"tdkt-bench-{name}-" if name else "tdkt-bench-"))
    ok = False
    try:
        result = asyncio.run(on_runtime(args, data_dir, scenario))
        ok = True
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        if ok and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            say(f"kept {data_dir}")
    info = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "options": {k: str(v) for k, v in vars(args).items()},
    }
    print(show(result, info))
    if args.json:
        write(args.json, result, info)
        say(f"wrote {args.json}")
    return 1 if failed(result) else 0


def write_result(key: str) -> Callable[[Path, Any, dict], None]:
    """`--json` for a scenario whose result has `to_json()`: the run's info plus it under `key`."""

    def write(path: Path, result: Any, info: dict) -> None:
        data = {**info, key: result.to_json()}
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")

    return write


def run(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["candidates"]:  # in process: no broker, no Temporal
        found = asyncio.run(candidates.run_candidates(candidates.parse(argv[1:]), say))
        print(candidates.render(found))
        return 0
    if argv[:1] == ["console"]:  # in process: no broker, no Temporal
        result = asyncio.run(console.run_console(console.parse(argv[1:]), say))
        print(console.render(result))
        return 0
    if argv[:1] == ["reorg"]:
        args = parse_reorg(argv[1:])
        return run_scenario(
            "reorg",
            args,
            lambda rt: reorg.run_reorg(rt, args, lambda: _meter(rt), say),
            reorg.render,
            write_result("reorg"),
            lambda r: bool(r.errors) or any(r.checks.values()),
        )
    if argv[:1] == ["soak"]:
        args = soak.parse(argv[1:])
        return run_scenario(
            "soak", args, lambda rt: soak.run_soak(rt, args, say), soak.render, write_result("soak"),
            lambda r: r.failed(),
        )  # fmt: skip
    if argv[:1] == ["annual"]:
        args = annual.parse(argv[1:])
        return run_scenario(
            "annual", args, lambda rt: annual.run_annual(rt, args, lambda: _meter(rt), say), annual_result.render,
            write_result("annual"), lambda r: r.failed(),
        )  # fmt: skip
    if argv[:1] == ["lifecycle"]:
        args = parse_lifecycle(argv[1:])
        return run_scenario(
            "lifecycle",
            args,
            lambda rt: lifecycle.run_lifecycle(rt, args, lambda: _meter(rt), say),
            lifecycle_result.render,
            write_result("lifecycle"),
            lifecycle_result.failed,
        )
    args = parse(argv)
    return run_scenario(
        "",
        args,
        lambda rt: scenarios_ab(rt, args),
        lambda ab, info: render(*ab, info),
        lambda path, ab, info: write_json(path, *ab, info),
        lambda ab: sum(r.failed for r in ab if r is not None) > 0,
    )


if __name__ == "__main__":
    sys.exit(run())
