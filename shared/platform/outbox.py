"""Transactional outbox: events are rows written with the state change; a relay publishes them."""

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import JSON, Column, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts.events import Event, envelope_for
from shared.platform.logs import REQUEST_ID


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True)
    topic: str
    key: str
    envelope: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime
    published_at: datetime | None = Field(default=None, index=True)


log = structlog.get_logger()


def add_event(
    session: AsyncSession, event: Event, *, source_agency: str, occurred_at: datetime, key: str
) -> OutboxEvent:
    """Record an event in the caller's transaction; nothing is sent until that transaction commits."""
    envelope = envelope_for(event, source_agency=source_agency, occurred_at=occurred_at)
    envelope.request_id = REQUEST_ID.get()
    row = OutboxEvent(
        event_id=envelope.event_id,
        topic=event.topic,
        key=key,
        envelope=envelope.model_dump(mode="json"),
        created_at=datetime.now(UTC),
    )
    session.add(row)
    return row


class OutboxRelay:
    """Publishes committed outbox rows in order, marking each once the broker acknowledged it.

    A crash between the broker's ack and the mark republishes the row: consumers are idempotent.
    """

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        producer: AIOKafkaProducer,
        *,
        poll_ms: int = 200,
        batch: int = 500,
    ) -> None:
        self._factory = factory
        self._producer = producer
        self._poll = poll_ms / 1000
        self._batch = batch
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def publish_pending(self) -> int:
        """Read a batch, publish it, then mark it, in two short transactions.

        No transaction is held while the broker acknowledges: on SQLite every transaction holds
        the write lock (shared/db.py), which would stop the service's activities and requests for
        the length of a round trip to Kafka. A crash between the ack and the mark, or a second
        relay reading the same rows, publishes a row twice; consumers drop duplicates by event id.
        """
        async with self._factory() as session, session.begin():
            rows = (
                await session.exec(
                    select(OutboxEvent)
                    .where(col(OutboxEvent.published_at).is_(None))
                    .order_by(col(OutboxEvent.id))
                    .limit(self._batch)
                )
            ).all()
            batch = [(row.id, row.event_id, row.topic, row.key, row.envelope) for row in rows]
        if not batch:
            return 0
        futures = [
            await self._producer.send(topic, key=key.encode(), value=json.dumps(envelope, ensure_ascii=False).encode())
            for _, _, topic, key, envelope in batch
        ]
        await asyncio.gather(*futures)
        async with self._factory() as session, session.begin():
            await session.exec(
                update(OutboxEvent)
                .where(col(OutboxEvent.id).in_([b[0] for b in batch]))
                .values(published_at=datetime.now(UTC))
            )
        for _, event_id, topic, _, _ in batch:
            log.debug("outbox.published", event_id=event_id, topic=topic)
        return len(batch)

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                while await self.publish_pending():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox.relay_failed")
                await asyncio.sleep(1)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            except TimeoutError:
                pass
