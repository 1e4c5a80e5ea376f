"""The four tier services and the workflow worker as child processes, configured by environment.

One mechanism for the launcher (`make run`), the tests and the benchmark: migrate and seed each
service database, start every process, wait until each answers, stop them by PID.
"""

import asyncio
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from deploy.embedded import Child, free_port, wait_for_port
from deploy.seed import seed
from services.kit.migrate import migrate_async
from shared.contracts.tiers import TIER_ORDER, Tier

DEFAULT_PORTS = {Tier.UNIT: 8001, Tier.DISTRICT: 8002, Tier.PROVINCE: 8003, Tier.CENTRAL: 8004}
OnProgress = Callable[[str], None]


def _quiet(_message: str) -> None:
    """Progress for callers that show none."""


@dataclass
class StackConfig:
    data_dir: Path
    kafka_bootstrap: str
    temporal_address: str
    temporal_namespace: str = "default"
    database_urls: dict[Tier, str] = field(default_factory=dict)
    ports: dict[Tier, int] = field(default_factory=dict)
    consumer_group_prefix: str = "tdkt"
    environment: str = "development"
    log_level: str = "INFO"
    business_date: str | None = None
    # More settings for every service (a test's, say: `OUTBOX_CHECK_SECONDS`).
    service_env: dict[str, str] = field(default_factory=dict)
    # Processes serving a tier (SERVICE_PROCESSES, decision 0047); one where not named.
    processes: dict[Tier, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for tier in TIER_ORDER:
            self.database_urls.setdefault(tier, f"sqlite+aiosqlite:///{self.data_dir / 'db' / f'{tier.value}.db'}")
            self.ports.setdefault(tier, free_port())

    def url(self, tier: Tier) -> str:
        return f"http://127.0.0.1:{self.ports[tier]}"

    @property
    def object_store(self) -> Path:
        """The documents' bytes, shared by the four services as a deployment shares its S3 bucket."""
        return self.data_dir / "objects"

    def env(self, tier: Tier | None) -> dict[str, str]:
        env = {
            "TEMPORAL_ADDRESS": self.temporal_address,
            "TEMPORAL_NAMESPACE": self.temporal_namespace,
            "LOG_LEVEL": self.log_level,
            "PYTHONUNBUFFERED": "1",
        }
        if tier is not None:
            env |= {
                "ENVIRONMENT": self.environment,
                "DATABASE_URL": self.database_urls[tier],
                "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
                "HTTP_HOST": "127.0.0.1",
                "HTTP_PORT": str(self.ports[tier]),
                "CONSUMER_GROUP": f"{self.consumer_group_prefix}-{tier.value}",
                "OBJECT_STORE_URL": f"file://{self.object_store.resolve()}",
                "AUDIT_KEY_FILE": str((self.data_dir / "keys" / f"{tier.value}-audit.key").resolve()),
                # Every console knows every other: a login is sent to the service hosting its agency,
                # and e-mails (sent only when SMTP_* are exported) link to the service's own console.
                **{f"{other.value.upper()}_CONSOLE_URL": self.url(other) for other in TIER_ORDER},
            }
            if self.business_date:
                env["BUSINESS_DATE"] = self.business_date
            env |= self.service_env
            if tier in self.processes:
                env["SERVICE_PROCESSES"] = str(self.processes[tier])
        return env


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        logs = config.data_dir / "logs"
        self.services = {
            tier: Child(
                f"{tier.value} service",
                [sys.executable, "-m", f"services.{tier.value}"],
                logs / f"{tier.value}.log",
                env=config.env(tier),
            )
            for tier in TIER_ORDER
        }
        self.worker = Child(
            "workflow worker",
            [sys.executable, "-m", "workflows.worker"],
            logs / "worker.log",
            env=config.env(None),
        )

    async def prepare(self, *, officers: bool = True, progress: OnProgress = _quiet) -> None:
        """Migrate and seed every service database (repeatable: existing rows are kept)."""
        for tier in TIER_ORDER:
            progress(f"migrating and seeding the {tier.value} database")
            await migrate_async(tier, self.config.database_urls[tier])
            await seed(tier, self.config.database_urls[tier], officers=officers)

    def start(self, progress: OnProgress = _quiet) -> None:
        self.worker.start()
        for child in self.services.values():
            child.start()
        for tier, child in self.services.items():
            progress(f"waiting for the {tier.value} service on port {self.config.ports[tier]}")
            wait_for_port(self.config.ports[tier], child.proc, child.name, timeout=90)
        self.wait_healthy()

    def wait_healthy(self, tiers: list[Tier] | None = None, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for tier in tiers or TIER_ORDER:
            while True:
                try:
                    if httpx.get(f"{self.config.url(tier)}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{tier.value} service is not healthy; see {self.services[tier].log_path}")
                time.sleep(0.1)

    def restart(self, *tiers: Tier) -> None:
        """Restart these services: all stop, then all start and are awaited together. A restarted
        service may wait up to its consumer group's session timeout (10 s) before it rejoins (on
        Tansu, a consumer that joined at generation 0 sends no LeaveGroup when it stops; a killed
        one never does), and such waits one after another add up where together they cost one."""
        children = [self.services[tier] for tier in tiers]
        with ThreadPoolExecutor(len(children)) as pool:
            list(pool.map(Child.stop, children))
        for tier, child in zip(tiers, children, strict=True):
            child.env = self.config.env(tier)
            child.start()
        for tier, child in zip(tiers, children, strict=True):
            wait_for_port(self.config.ports[tier], child.proc, child.name, timeout=90)
        self.wait_healthy(list(tiers))

    def advance_to(self, business_date: str) -> None:
        """Restart every service on a new business date, e.g. the day a reorganization takes effect."""
        self.config.business_date = business_date
        self.restart(*TIER_ORDER)

    def restart_worker(self) -> None:
        self.worker.stop()
        self.worker.start()

    def stop(self) -> None:
        for child in [*self.services.values(), self.worker]:
            child.stop()


async def prepare_and_start(config: StackConfig) -> Stack:
    stack = Stack(config)
    await stack.prepare()
    await asyncio.to_thread(stack.start)
    return stack
