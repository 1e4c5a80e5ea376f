"""Alembic environment: migrates one service database, async engine, URL given by the caller."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from shared.platform.db import make_engine


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def _main() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "services.kit.migrate sets sqlalchemy.url"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


asyncio.run(_main())
