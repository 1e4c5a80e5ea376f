"""A whole running system per module: broker, Temporal namespace, four services and the worker."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from deploy.stack import Stack, StackConfig
from shared.contracts.tiers import TIER_ORDER, Tier
from tests.conftest import NAMESPACES, database_url, start_broker

# The demo units stand in Kiên Giang before the 2025 reorganization abolished districts.
BEFORE_REORGANIZATION = "2025-05-15"


@dataclass
class RunningSystem:
    stack: Stack
    bootstrap: str
    clients: dict[Tier, httpx.AsyncClient]

    def __getitem__(self, tier: Tier) -> httpx.AsyncClient:
        return self.clients[tier]


async def run_system(
    tmp: Path, temporal_address: str, namespace: str, backend: str, postgres
) -> AsyncIterator[RunningSystem]:  # type: ignore[no-untyped-def]
    broker, bootstrap = await start_broker(tmp)
    urls = {tier: await database_url(backend, postgres, tmp, tier.value) for tier in TIER_ORDER}
    stack = Stack(
        StackConfig(
            data_dir=tmp,
            kafka_bootstrap=bootstrap,
            temporal_address=temporal_address,
            temporal_namespace=namespace,
            database_urls=urls,
            business_date=BEFORE_REORGANIZATION,
        )
    )
    try:
        await stack.prepare()
        stack.start()
        clients = {t: httpx.AsyncClient(base_url=stack.config.url(t), timeout=30) for t in TIER_ORDER}
        yield RunningSystem(stack, bootstrap, clients)
        for client in clients.values():
            await client.aclose()
    finally:
        stack.stop()
        broker.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def system(request, tmp_path_factory, temporal_address, postgres) -> AsyncIterator[RunningSystem]:  # type: ignore[no-untyped-def]
    namespace = NAMESPACES[hash(request.node.name + request.param) % len(NAMESPACES)]
    tmp = tmp_path_factory.mktemp(f"system-{request.param}")
    async for running in run_system(
        tmp, temporal_address, namespace, request.param, postgres if request.param == "postgres" else None
    ):
        yield running


@pytest.fixture(scope="module")
async def sqlite_system(request, tmp_path_factory, temporal_address) -> AsyncIterator[RunningSystem]:  # type: ignore[no-untyped-def]
    """One stack on SQLite, for modules that test what crosses HTTP and events rather than the
    databases: the lifecycle and reorganization modules run the whole stack on PostgreSQL too, and
    every service's queries run on both in the integration tests."""
    namespace = NAMESPACES[hash(request.node.name + "sqlite-only") % len(NAMESPACES)]
    async for running in run_system(
        tmp_path_factory.mktemp("system-sqlite"), temporal_address, namespace, "sqlite", None
    ):
        yield running
