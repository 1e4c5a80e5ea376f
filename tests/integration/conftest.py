"""Integration fixtures: a migrated, seeded service database on SQLite and on PostgreSQL."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from deploy.migrate import migrate_async
from deploy.seed import seed
from shared.db import make_engine, session_factory
from shared.tiers import Tier
from tests.conftest import database_url


@pytest.fixture(params=["sqlite", "postgres"])
async def sessions(request, tmp_path, postgres) -> AsyncIterator[async_sessionmaker[AsyncSession]]:  # type: ignore[no-untyped-def]
    url = await database_url(request.param, postgres if request.param == "postgres" else None, tmp_path, "central")
    await migrate_async(Tier.CENTRAL, url)
    await seed(Tier.CENTRAL, url, officers=True)
    engine = make_engine(url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()
