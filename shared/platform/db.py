"""Engines and sessions. The request or message boundary owns the transaction."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


def make_engine(url: str, *, writer: bool = True) -> AsyncEngine:
    """The service's engine; `writer=False` for lookups that must never wait for the write lock
    (on SQLite their transactions open deferred and only read: WAL readers neither wait nor block)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
            # Let SQLAlchemy, not the driver, open transactions, so that they can be opened IMMEDIATE.
            dbapi_conn.isolation_level = None

        if not writer:
            return engine

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(conn):
            # SQLite ignores SELECT ... FOR UPDATE. Taking the write lock when a transaction opens
            # serialises writers (busy_timeout makes them wait rather than fail), so two transactions
            # can never read the same audit head and append the same sequence number.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit everything on success, roll back everything on error."""
    async with factory() as session, session.begin():
        yield session


def transaction_memo(session: AsyncSession, name: str) -> dict[Any, Any]:
    """A dict named `name` that lives as long as the session's current transaction (a savepoint
    counts as its own): what a transaction has learned and cannot change under it, kept so that
    work on many items in one transaction (a tờ trình's awardees, a fetch of events) asks once.
    Only for facts the transaction may take as fixed while it runs (another transaction cannot
    change them under it, or a change would not matter before the next one), and that this one
    changes only through the code that keeps the memo."""
    sync = session.sync_session
    current = sync.get_nested_transaction() or sync.get_transaction()
    kept = sync.info.get(name)
    if kept is None or kept[0] is not current:
        kept = (current, {})
        sync.info[name] = kept
    return kept[1]


async def insert_unless_present(session: AsyncSession, model: type, values: dict[str, Any], key: str) -> bool:
    """Insert the row unless a row with the same unique `key` exists; whether it was inserted. One
    statement, where a read then a write would be two (a consumed event's rows, say)."""
    dialect = postgresql if session.bind is not None and session.bind.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=[key])
    result = await session.exec(statement)
    return bool(result.rowcount)
