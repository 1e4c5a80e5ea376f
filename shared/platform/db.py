"""Engines and sessions. The request or message boundary owns the transaction."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
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


def transaction_memo(session: AsyncSession | Session, name: str) -> dict[Any, Any]:
    """A dict named `name` that lives as long as the session's current transaction (a savepoint
    counts as its own): what a transaction has learned and cannot change under it, kept so that
    work on many items in one transaction (a tờ trình's awardees, a fetch of events) asks once.
    Only for facts the transaction may take as fixed while it runs (another transaction cannot
    change them under it, or a change would not matter before the next one), and that this one
    changes only through the code that keeps the memo."""
    sync = session if isinstance(session, Session) else session.sync_session
    current = sync.get_nested_transaction() or sync.get_transaction()
    kept = sync.info.get(name)
    if kept is None or kept[0] is not current:
        kept = (current, {})
        sync.info[name] = kept
    return kept[1]


def _insert_unless_present(dialect_name: str, model: type, key: str) -> Any:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing(index_elements=[key])


async def insert_unless_present(session: AsyncSession, model: type, values: dict[str, Any], key: str) -> bool:
    """Insert the row unless a row with the same unique `key` exists; whether it was inserted. One
    statement, where a read then a write would be two (a consumed event's rows, say)."""
    dialect_name = session.bind.dialect.name if session.bind is not None else "sqlite"
    result = await session.exec(_insert_unless_present(dialect_name, model, key).values(**values))
    return bool(result.rowcount)


QUEUED = "queued_inserts"


def insert_later(session: AsyncSession, model: type, values: dict[str, Any], key: str) -> None:
    """Queue a row to insert unless a row with the same unique `key` exists, written with the
    transaction's other queued rows of its table in one statement: by `write_queued` (the consumer
    calls it once per fetch), or at the latest when the transaction commits. For rows nothing in
    the transaction reads back, such as a consumed event's timeline entry; not inside a savepoint."""
    if session.sync_session.get_nested_transaction() is not None:
        raise RuntimeError("insert_later inside a savepoint: its rows would outlive the savepoint's rollback")
    transaction_memo(session, QUEUED).setdefault((model, key), []).append(values)


async def write_queued(session: AsyncSession) -> None:
    await session.run_sync(_write_queued)


def _write_queued(session: Session) -> None:
    kept = session.info.get(QUEUED)
    if kept is None or not kept[1] or kept[0] is not session.get_transaction():
        return
    dialect_name = session.get_bind().dialect.name
    for (model, key), rows in kept[1].items():
        session.execute(_insert_unless_present(dialect_name, model, key), rows)
    kept[1].clear()


# A handler called outside the consumer (a test, a command) loses nothing it queued.
event.listen(Session, "before_commit", _write_queued)
