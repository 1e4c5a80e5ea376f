"""Integration fixtures: a migrated, seeded service database on SQLite and on PostgreSQL."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts.tiers import Tier
from shared.platform.db import make_engine, session_factory


@pytest.fixture(params=["sqlite", "postgres"])
async def sessions(request, tmp_path, seeded_databases) -> AsyncIterator[async_sessionmaker[AsyncSession]]:  # type: ignore[no-untyped-def]
    url = await seeded_databases.url(request.param, Tier.CENTRAL, tmp_path, "central")
    engine = make_engine(url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def tier_http(request, tmp_path, seeded_databases):  # type: ignore[no-untyped-def]
    """A factory of in-process HTTP clients for one tier's service: real routers, real database.

    `await tier_http(Tier.UNIT, business_date=date(2026, 3, 2))` gives an httpx client (no
    lifespan: no broker; `app.state.kit.nominations` and `.temporal` are whatever you pass) and its
    session factory. Demo officers are seeded; their tokens are `demo-<agency>-<role>`. Other keyword
    arguments are settings (`environment="test"`, `login_max_failures=3`, …).
    """
    import types

    import httpx

    from services.central.api import router as central_routes
    from services.kit.app import create_app
    from shared.platform import blobs
    from shared.platform.settings import ServiceSettings

    made: list = []

    async def make(tier: Tier, *, business_date=None, nominations=None, temporal=None, **options):  # type: ignore[no-untyped-def]
        url = await seeded_databases.url(request.param, tier, tmp_path, f"{tier.value}-{len(made)}")
        engine = make_engine(url)
        settings = ServiceSettings(
            tier=tier,
            database_url=url,
            business_date=business_date,
            object_store_url=f"file://{tmp_path / 'objects'}",  # one store for every tier of the test
            **options,
        )
        blobs.use_store(settings.object_store_url)
        # The central service's own routes too: the same app its entry point builds.
        app = create_app(
            settings, title="test", description="test", routers=(central_routes,) if tier is Tier.CENTRAL else ()
        )
        app.state.kit = types.SimpleNamespace(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            nominations=nominations,
            temporal=temporal,
            relay=None,
            tasks=[],
        )
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
        made.append((client, engine))
        return client, app.state.kit.sessions

    yield make
    for client, engine in made:
        await client.aclose()
        await engine.dispose()
