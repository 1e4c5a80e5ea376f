"""`python -m deploy.launcher` (`make run`): the whole system on one machine, from one command.

Starts Tansu (Kafka protocol, in memory) and the Temporal dev server (SQLite under the data
dir), migrates and seeds one SQLite database per service under `<data-dir>/db/`, then starts the
four tier services and the workflow worker. Every part is a child process stopped by PID on
Ctrl+C or SIGTERM. One that dies is started again after a back-off, and the launcher says so
(deploy/restarts.py); one that keeps dying stops the rest, and the launcher exits non-zero. A
second start on the same data dir resumes the databases and Temporal's workflows.
"""

import asyncio
import json
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Annotated, NoReturn, TextIO

import typer

from deploy.cli_client import url_variable
from deploy.cli_output import table
from deploy.demo_data import DEMO_OFFICERS, demo_token
from deploy.embedded import (
    Child,
    create_topics,
    port_open,
    tansu,
    temporal_dev_server,
    wait_for_port,
)
from deploy.restarts import Watchdog
from deploy.seed import registry_rows
from deploy.stack import DEFAULT_PORTS, Stack, StackConfig
from shared.contracts.tiers import TIER_ORDER, Tier

REORGANIZATION = date(2025, 7, 1)
READY = "Press Ctrl+C to stop."


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived: stop everything and exit 0."""


@dataclass
class Options:
    data_dir: Path
    kafka_port: int
    temporal_port: int
    temporal_ui_port: int
    ports: dict[Tier, int]
    business_date: date | None


class Progress:
    """One line rewritten in place on a terminal; plain lines otherwise."""

    def __init__(self, total: int, out: TextIO = sys.stdout) -> None:
        self.total, self.out, self.done, self.width = total, out, 0, 0
        self.tty = out.isatty()

    def __call__(self, message: str) -> None:
        self.done += 1
        self._show(f"[{self.done}/{self.total}] {message}…", end="" if self.tty else "\n")

    def finish(self, message: str) -> None:
        self._show(message, end="\n")

    def _show(self, line: str, end: str) -> None:
        if self.tty:
            self.out.write("\r" + line.ljust(self.width))
            self.width = max(self.width, len(line))
        else:
            self.out.write(line)
        self.out.write(end)
        self.out.flush()


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    _handle_signals(signal.SIG_IGN)  # stopping must not be interrupted
    raise Interrupted(signal.Signals(signum).name)


def _handle_signals(handler: Callable[[int, FrameType | None], None] | signal.Handlers) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)


class Launcher:
    def __init__(self, options: Options) -> None:
        self.options = options
        data = options.data_dir
        self.kafka = tansu(options.kafka_port, data)
        self.temporal = temporal_dev_server(options.temporal_port, options.temporal_ui_port, data)
        # Serve the Temporal UI as well.
        self.temporal.argv = [arg for arg in self.temporal.argv if arg != "--headless"]
        self.stack = Stack(
            StackConfig(
                data_dir=data,
                kafka_bootstrap=f"127.0.0.1:{options.kafka_port}",
                temporal_address=f"127.0.0.1:{options.temporal_port}",
                ports=dict(options.ports),
                business_date=options.business_date.isoformat() if options.business_date else None,
            )
        )
        self.pids_file = data / "pids.json"

    @property
    def children(self) -> list[Child]:
        return [self.kafka, self.temporal, *self.stack.services.values(), self.stack.worker]

    def busy_ports(self) -> list[int]:
        o = self.options
        return [p for p in [o.kafka_port, o.temporal_port, o.temporal_ui_port, *o.ports.values()] if port_open(p)]

    def start(self) -> None:
        (self.options.data_dir / "db").mkdir(parents=True, exist_ok=True)
        progress = Progress(total=3 + 2 * len(TIER_ORDER))
        progress("starting kafka (tansu) and temporal")
        self.kafka.start()
        self.temporal.start()
        self._write_pids()
        progress("creating kafka topics")
        wait_for_port(self.options.kafka_port, self.kafka.proc, self.kafka.name, timeout=30)
        asyncio.run(create_topics(self.stack.config.kafka_bootstrap))
        asyncio.run(self.stack.prepare(progress=progress))
        progress("waiting for temporal")
        wait_for_port(self.options.temporal_port, self.temporal.proc, self.temporal.name, timeout=60)
        self.stack.start(progress=progress)
        self._write_pids()
        progress.finish("tdkt is running.")

    def watch(self) -> NoReturn:
        """Restart a child that exits; raise ChildDied when one keeps exiting (signals raise Interrupted)."""
        Watchdog(
            lambda: self.children, after_start={self.kafka.name: self._refill_broker}, on_restart=self._write_pids
        ).watch()

    def _refill_broker(self) -> None:
        """A restarted broker keeps nothing (memory only): make the topics again, with their partitions."""
        wait_for_port(self.options.kafka_port, self.kafka.proc, self.kafka.name, timeout=30)
        asyncio.run(create_topics(self.stack.config.kafka_bootstrap))

    def stop(self) -> None:
        self.stack.stop()
        self.temporal.stop()
        self.kafka.stop()
        self.pids_file.unlink(missing_ok=True)

    def _write_pids(self) -> None:
        pids = {c.name: c.proc.pid for c in self.children if c.proc is not None}
        self.pids_file.write_text(json.dumps(pids, indent=2))

    def announce(self) -> None:
        o = self.options
        when = o.business_date
        print(f"\nData: {o.data_dir.resolve()} (databases in db/, logs in logs/)\n")
        print("Services: the console for people, and the OpenAPI docs:")
        for tier in TIER_ORDER:
            url = self.stack.config.url(tier)
            print(f"  {tier.value:<9} {url}/console   {url}/docs")
        print(f"  Temporal UI http://127.0.0.1:{o.temporal_ui_port}")
        print(f"  (Temporal 127.0.0.1:{o.temporal_port}, Kafka 127.0.0.1:{o.kafka_port})\n")
        if when is None:
            print("Business date: today (the real date).")
        elif when < REORGANIZATION:
            print(
                f"Business date: {when}: the demo stands before the 2025 reorganization "
                f"(districts abolished on {REORGANIZATION})."
            )
        else:
            print(f"Business date: {when}: after the 2025 reorganization (no districts).")
        print("  Change it with --business-date YYYY-MM-DD (or TDKT_BUSINESS_DATE); 'today' uses the real date.\n")
        print(f"One address for every officer: {self.stack.config.url(TIER_ORDER[0])}/console/login")
        print("  Log in as username@agency code: you land at the console of the service that hosts your agency.\n")
        print(
            "Demo officers (development only): log in at the one address with the login and password below "
            "(or .venv/bin/tdkt login --tier <their tier>), or send 'Authorization: Bearer <password>':"
        )
        print(table(["agency", "name", "role", "login", "password"], credentials(when or date.today())))
        print()
        for tier in TIER_ORDER:
            if o.ports[tier] != DEFAULT_PORTS[tier]:
                print(f"export {url_variable(tier)}={self.stack.config.url(tier)}")
        print("Try: make demo, or: .venv/bin/tdkt --token demo-U91-0001-clerk inbox")
        print(READY, flush=True)


def credentials(on: date) -> list[tuple[str, str, str, str, str]]:
    """Demo officers' agency code, agency name (as registered on `on`), role, login for the one
    address (`username@agency`) and password (their token)."""
    codes = {code for code, _, _ in DEMO_OFFICERS}
    names = {
        r["code"]: r["name"]
        for r in sorted(registry_rows(), key=lambda r: r["valid_from"])
        if r["code"] in codes and r["valid_from"] <= on
    }
    rows = []
    for code, role, _ in DEMO_OFFICERS:
        token = demo_token(code, role)
        rows.append((code, names.get(code, ""), role, f"{token.lower()}@{code}", token))
    return rows


def run(options: Options) -> int:
    launcher = Launcher(options)
    if busy := launcher.busy_ports():
        print(
            f"error: port(s) {', '.join(map(str, busy))} already in use; is another launcher "
            "running? Choose other ports with the --*-port options.",
            file=sys.stderr,
        )
        return 1
    _handle_signals(_on_signal)
    try:
        launcher.start()
        launcher.announce()
        launcher.watch()
    except Interrupted as why:
        print(f"\n{why}: stopping…", flush=True)
        return 0
    except Exception as err:  # whatever failed: report it and stop the rest
        logs = options.data_dir.resolve() / "logs"
        print(f"\nerror: {err}\nLogs: {logs}; stopping the rest…", file=sys.stderr, flush=True)
        return 1
    finally:
        _handle_signals(signal.SIG_IGN)
        launcher.stop()
        print("stopped.", flush=True)


def _business_date(value: str) -> date | None:
    if value == "today":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is neither YYYY-MM-DD nor 'today'") from None


def main(
    data_dir: Annotated[
        Path,
        typer.Option(
            envvar="TDKT_DATA_DIR",
            help="Service databases, Temporal's SQLite file and logs.",
        ),
    ] = Path(".data"),
    kafka_port: Annotated[int, typer.Option(envvar="TDKT_KAFKA_PORT")] = 9092,
    temporal_port: Annotated[int, typer.Option(envvar="TDKT_TEMPORAL_PORT")] = 7233,
    temporal_ui_port: Annotated[int, typer.Option(envvar="TDKT_TEMPORAL_UI_PORT")] = 8233,
    unit_port: Annotated[int, typer.Option(envvar="TDKT_UNIT_PORT")] = 8001,
    district_port: Annotated[int, typer.Option(envvar="TDKT_DISTRICT_PORT")] = 8002,
    province_port: Annotated[int, typer.Option(envvar="TDKT_PROVINCE_PORT")] = 8003,
    central_port: Annotated[int, typer.Option(envvar="TDKT_CENTRAL_PORT")] = 8004,
    business_date: Annotated[
        str,
        typer.Option(
            envvar="TDKT_BUSINESS_DATE",
            help="The date the services treat as today: YYYY-MM-DD, or "
            "'today'. The default stands before the 2025 reorganization abolished districts.",
        ),
    ] = "2025-05-15",
) -> None:
    """Run Kafka (Tansu), Temporal, the four tier services and the workflow worker until Ctrl+C."""
    ports = {
        Tier.UNIT: unit_port,
        Tier.DISTRICT: district_port,
        Tier.PROVINCE: province_port,
        Tier.CENTRAL: central_port,
    }
    options = Options(data_dir, kafka_port, temporal_port, temporal_ui_port, ports, _business_date(business_date))
    raise typer.Exit(run(options))


if __name__ == "__main__":
    typer.run(main)
