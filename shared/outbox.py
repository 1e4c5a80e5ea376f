"""Transactional outbox: events are rows written with the state change; a relay publishes them."""

import asyncio
import json
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events import Event, envelope_for
from shared.models import OutboxEvent

log = structlog.get_logger()


def add_event(
    session: AsyncSession, event: Event, *, source_agency: str, occurred_at: datetime, key: str
) -> OutboxEvent:
    """Record an event in the caller's transaction; nothing is sent until that transaction commits."""
    envelope = envelope_for(event, source_agency=source_agency, occurred_at=occurred_at)
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
        async with self._factory() as session, session.begin():
            rows = (
                await session.exec(
                    select(OutboxEvent)
                    .where(OutboxEvent.published_at.is_(None))  # type: ignore[union-attr]
                    .order_by(OutboxEvent.id)  # type: ignore[arg-type]
                    .limit(self._batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            futures = [
                await self._producer.send(
                    row.topic,
                    key=row.key.encode(),
                    value=json.dumps(row.envelope, ensure_ascii=False).encode(),
                )
                for row in rows
            ]
            await asyncio.gather(*futures)
            now = datetime.now(UTC)
            for row in rows:
                row.published_at = now
                session.add(row)
                log.debug("outbox.published", event_id=row.event_id, topic=row.topic)
        return len(rows)

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
