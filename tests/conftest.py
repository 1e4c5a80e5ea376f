"""Session-wide real parts: a Tansu broker per stack, one Temporal dev server, one PostgreSQL.

Set TDKT_TEST_POSTGRES_URL (a postgresql+asyncpg:// server URL without database) to use an
existing PostgreSQL instead of the embedded one.
"""

import asyncio
import compileall
import os
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from deploy.embedded import Child, Postgres, create_topics, free_port, tansu, temporal_dev_server, wait_for_port
from deploy.seed import seed
from services.kit.migrate import migrate_async
from shared.contracts.tiers import Tier

ROOT = Path(__file__).parents[1]
# Namespaces the session's Temporal server knows from its start (registering one later is not
# visible at once). Each is handed out once per test process: see `fresh_namespace`.
NAMESPACES = [f"tdkt-test-{i}" for i in range(1, 49)]
# The SQLite stack the e2e modules share (tests/e2e/conftest.py): its task queues live alone here.
SHARED_NAMESPACE = "tdkt-test-shared"
_unused_namespaces = iter(NAMESPACES)


def fresh_namespace() -> str:
    """A namespace nothing in this test process has used yet. A stopped stack or test worker leaves
    its workflows running in its namespace (pending decisions, timers, activities retrying against
    services that are gone); a later worker on the same namespace and task queues would take them
    up and write into its own databases (a nomination of another test appeared in a dry run)."""
    try:
        return next(_unused_namespaces)
    except StopIteration:
        raise RuntimeError(f"all {len(NAMESPACES)} test namespaces are in use: add more to NAMESPACES") from None


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the project's sources once, so the services, workers and command lines the tests
    start as processes (some forty) load bytecode instead of compiling every module each time, even
    where PYTHONDONTWRITEBYTECODE is set (`make env` compiles the installed packages likewise)."""
    for package in ("shared", "services", "workflows", "deploy"):
        compileall.compile_dir(ROOT / package, quiet=1)


@pytest.fixture(scope="session")
def runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runtime")


@pytest.fixture(scope="session")
def temporal_address(runtime_dir: Path) -> Iterator[str]:
    port = free_port()
    child = temporal_dev_server(port, free_port(), runtime_dir / "temporal")
    for ns in [*NAMESPACES, SHARED_NAMESPACE]:
        child.argv += ["--namespace", ns]
    child.start()
    try:
        wait_for_port(port, child.proc, "temporal dev server", timeout=60)
        yield f"127.0.0.1:{port}"
    finally:
        child.stop()


@pytest.fixture
def temporal_namespace() -> str:
    """Each test gets a namespace of its own, never used before in this process."""
    return fresh_namespace()


async def start_broker(runtime_dir: Path) -> tuple[Child, str]:
    port = free_port()
    child = tansu(port, runtime_dir / f"kafka-{port}")
    child.start()
    wait_for_port(port, child.proc, "tansu broker", timeout=30)
    bootstrap = f"127.0.0.1:{port}"
    await create_topics(bootstrap)
    return child, bootstrap


@pytest.fixture
async def kafka_bootstrap(runtime_dir: Path) -> AsyncIterator[str]:
    """A fresh in-memory broker per test: no event of one test reaches another."""
    child, bootstrap = await start_broker(runtime_dir)
    try:
        yield bootstrap
    finally:
        child.stop()


@pytest.fixture(scope="session")
def postgres(runtime_dir: Path) -> Iterator[Postgres | str]:
    external = os.environ.get("TDKT_TEST_POSTGRES_URL")
    if external:
        yield external
        return
    server = Postgres(runtime_dir / "postgres")
    try:
        yield server
    finally:
        server.stop()


async def database_url(backend: str, postgres: "Postgres | str | None", data_dir: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{data_dir / f'{name}.db'}"
    assert postgres is not None
    db = f"t_{name}_{uuid.uuid4().hex[:8]}"
    if isinstance(postgres, str):
        import asyncpg

        conn = await asyncpg.connect(postgres.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute(f'create database "{db}"')
        finally:
            await conn.close()
        return postgres.rstrip("/") + "/" + db
    return await postgres.create_database(db)


class SeededDatabases:
    """Migrated and seeded databases, one template per tier and backend, copied for each test: a
    migration and a seed cost about a second on SQLite and more on PostgreSQL, a copy a few
    milliseconds (a file copy; `CREATE DATABASE … TEMPLATE` on PostgreSQL). The copy is the same
    database a fresh migration and seed would make, so no test sees what another wrote."""

    def __init__(self, folder: Path, postgres: "Postgres | str | None") -> None:
        self.folder, self.postgres = folder, postgres
        self.templates: dict[tuple[str, Tier], str] = {}
        self.lock = asyncio.Lock()

    async def url(self, backend: str, tier: Tier, data_dir: Path, name: str) -> str:
        async with self.lock:
            template = self.templates.get((backend, tier)) or await self._template(backend, tier)
        if backend == "sqlite":
            target = data_dir / f"{name}.db"
            await asyncio.to_thread(shutil.copyfile, template, target)
            return f"sqlite+aiosqlite:///{target}"
        db = f"t_{name}_{uuid.uuid4().hex[:8]}".replace("-", "_")
        await self._admin(f'create database "{db}" template "{template}"')
        return self._url(db)

    async def _admin(self, statement: str) -> None:
        admin = await asyncpg.connect(self._url("postgres").replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await admin.execute(statement)
        finally:
            await admin.close()

    async def _template(self, backend: str, tier: Tier) -> str:
        if backend == "sqlite":
            path = self.folder / f"template-{tier.value}.db"
            url = f"sqlite+aiosqlite:///{path}"
        else:
            name = f"template_{tier.value}_{uuid.uuid4().hex[:6]}"
            await self._admin(f'create database "{name}"')
            url = self._url(name)
        await migrate_async(tier, url)
        await seed(tier, url, officers=True)
        if backend == "sqlite":
            with sqlite3.connect(path) as conn:  # the copy is the file alone: fold the WAL into it
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            template = str(path)
        else:
            template = name
        self.templates[(backend, tier)] = template
        return template

    def _url(self, db: str) -> str:
        if isinstance(self.postgres, str):
            return self.postgres.rstrip("/") + "/" + db
        assert self.postgres is not None
        return self.postgres.url(db)


@pytest.fixture(scope="session")
def seeded_databases(tmp_path_factory: pytest.TempPathFactory, postgres: "Postgres | str") -> SeededDatabases:
    return SeededDatabases(tmp_path_factory.mktemp("templates"), postgres)
