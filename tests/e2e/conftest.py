"""A whole running system: broker, Temporal namespace, four services and the worker."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from deploy.embedded import Child
from deploy.stack import Stack, StackConfig
from shared.contracts.tiers import TIER_ORDER, Tier
from tests.conftest import SHARED_NAMESPACE, SeededDatabases, fresh_namespace, start_broker

# The demo units stand in Kiên Giang before the 2025 reorganization abolished districts.
BEFORE_REORGANIZATION = "2025-05-15"


@dataclass
class RunningSystem:
    stack: Stack
    bootstrap: str
    clients: dict[Tier, httpx.AsyncClient]
    broker: Child | None = None  # the fault tests kill and restart it

    def __getitem__(self, tier: Tier) -> httpx.AsyncClient:
        return self.clients[tier]


async def run_system(
    tmp: Path,
    temporal_address: str,
    namespace: str,
    backend: str,
    databases: SeededDatabases,
    service_env: dict[str, str] | None = None,
    processes: dict[Tier, int] | None = None,
) -> AsyncIterator[RunningSystem]:
    """A stack on copies of the session's migrated and seeded databases: what `Stack.prepare`
    makes (a migration and the seed with officers), without migrating and seeding four databases
    per stack; the launcher's test runs `prepare` itself. `service_env`: more settings for every
    service; `processes`: SERVICE_PROCESSES of some."""
    broker, bootstrap = await start_broker(tmp)
    urls = {tier: await databases.url(backend, tier, tmp, tier.value) for tier in TIER_ORDER}
    stack = Stack(
        StackConfig(
            data_dir=tmp,
            kafka_bootstrap=bootstrap,
            temporal_address=temporal_address,
            temporal_namespace=namespace,
            database_urls=urls,
            business_date=BEFORE_REORGANIZATION,
            service_env=service_env or {},
            processes=processes or {},
        )
    )
    try:
        stack.start()
        clients = {t: httpx.AsyncClient(base_url=stack.config.url(t), timeout=30) for t in TIER_ORDER}
        yield RunningSystem(stack, bootstrap, clients, broker)
        for client in clients.values():
            await client.aclose()
    finally:
        stack.stop()
        broker.stop()


@pytest.fixture(scope="package")
async def sqlite_system(tmp_path_factory, temporal_address, seeded_databases) -> AsyncIterator[RunningSystem]:  # type: ignore[no-untyped-def]
    """One stack on SQLite for the e2e modules, shared by the modules that test what crosses HTTP
    and events (the lifecycle's SQLite half, the HTTP rules, the console in a browser): starting a
    stack costs 20-30 s. Their tests name their own nominees and find their own records, so they do
    not depend on each other's; the modules that stop, kill or reconfigure a stack start their own.
    The services' queries run on both databases in the integration tests."""
    async for running in run_system(
        tmp_path_factory.mktemp("system-sqlite"), temporal_address, SHARED_NAMESPACE, "sqlite", seeded_databases
    ):
        yield running


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def system(
    request, tmp_path_factory, temporal_address, seeded_databases, sqlite_system
) -> AsyncIterator[RunningSystem]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield sqlite_system
        return
    tmp = tmp_path_factory.mktemp(f"system-{request.param}")
    async for running in run_system(tmp, temporal_address, fresh_namespace(), request.param, seeded_databases):
        yield running
