"""Transactional outbox: events are rows written with the state change; a relay publishes them.

Published rows are kept for a retention window, with where the broker put them, so that a broker
that lost its log (the embedded one keeps it in memory) gets them again (decision 0032).
"""

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import JSON, Column, delete, func, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts.events import Event, envelope_for
from shared.platform.broker_log import Acked, LogReader, lost_topics
from shared.platform.logs import REQUEST_ID
from shared.platform.processes import one_at_a_time
from shared.platform.settings import ServiceSettings
from shared.platform.topics import ensure_topics


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True)
    topic: str
    key: str
    envelope: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime
    published_at: datetime | None = Field(default=None, index=True)
    # Where the broker acknowledged the row, to notice a log that lost it.
    log_partition: int | None = None
    log_offset: int | None = None


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


@dataclass(frozen=True)
class Durability:
    """How the relay keeps the broker's log whole: topics, the rows it keeps, how often it looks."""

    bootstrap: str
    partitions: int = 12
    retention: timedelta = timedelta(days=7)
    check_every_s: float = 10.0


def durability_of(settings: ServiceSettings) -> Durability:
    return Durability(
        settings.kafka_bootstrap_servers,
        partitions=settings.kafka_topic_partitions,
        retention=timedelta(hours=settings.outbox_retention_hours),
        check_every_s=settings.outbox_check_seconds,
    )


class OutboxRelay:
    """Publishes committed outbox rows in order, marking each once the broker acknowledged it.

    A crash between the broker's ack and the mark republishes the row: consumers are idempotent.
    With `durability`, before its first publish, every `check_every_s` and after any failure, the
    relay makes sure the topics exist, republishes the retained rows of any topic whose log lost
    what it acknowledged, and prunes rows published before the retention window.
    """

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        producer: AIOKafkaProducer,
        *,
        poll_ms: int = 200,
        batch: int = 500,
        durability: Durability | None = None,
    ) -> None:
        self._factory = factory
        self._producer = producer
        self._poll = poll_ms / 1000
        self._batch = batch
        self._wake = asyncio.Event()
        self._durability = durability
        self._next_check = 0.0  # monotonic seconds; 0: look before publishing
        self._last_offset: dict[tuple[str, int], int] = {}
        self._partitions: set[tuple[str, int]] | None = None  # those the table holds rows of
        # Rows published before this time were in the log when the last check found it whole (or
        # were published by an earlier process): the ones a check looks for. A row published since
        # may sit in a log the broker restarted empty and refilled: finding it proves nothing.
        self._whole_as_of = datetime.now(UTC)
        # The service's consumer, whose reads are checked with what this relay wrote, and which is
        # told when the broker lost its log.
        self.reader: LogReader | None = None

    def wake(self) -> None:
        self._wake.set()

    async def publish_pending(self) -> int:
        """Read a batch, publish it, then mark it, in two short transactions.

        No transaction is held while the broker acknowledges: on SQLite every transaction holds
        the write lock (shared/db.py), which would stop the service's activities and requests for
        the length of a round trip to Kafka. A crash between the ack and the mark, or a second
        relay reading the same rows, publishes a row twice; consumers drop duplicates by event id.
        Of a service's processes, one publishes at a time (decision 0047): the others' rows wait
        for its next batch, so rows leave in their order and once.
        """
        with one_at_a_time("outbox-relay") as mine:
            return await self._publish_pending() if mine else 0

    async def _publish_pending(self) -> int:
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
        acks = await asyncio.gather(*futures)
        now = datetime.now(UTC)
        marks = [
            {"id": row_id, "published_at": now, "log_partition": ack.partition, "log_offset": ack.offset}
            for (row_id, *_), ack in zip(batch, acks, strict=True)
        ]
        async with self._factory() as session, session.begin():
            await session.exec(update(OutboxEvent), params=marks)
        for (_, event_id, topic, _, _), ack in zip(batch, acks, strict=True):
            self._notice_rewind(topic, ack.partition, ack.offset)
            log.debug("outbox.published", event_id=event_id, topic=topic)
        return len(batch)

    def _notice_rewind(self, topic: str, partition: int, offset: int) -> None:
        """Offsets only grow in a partition: one at or below an earlier ack means the log restarted."""
        if offset <= self._last_offset.get((topic, partition), -1):
            log.warning("outbox.offset_rewound", topic=topic, partition=partition, offset=offset)
            self._next_check = 0.0
        self._last_offset[(topic, partition)] = offset

    async def keep_log_whole(self) -> set[str]:
        """Ensure the topics, republish what the broker lost, prune; returns the topics that lost rows."""
        assert self._durability is not None
        durability, began = self._durability, datetime.now(UTC)
        if await ensure_topics(durability.bootstrap, durability.partitions):
            await self._producer.client.force_metadata_update()
        lost = await lost_topics(durability.bootstrap, await self._latest_acked())
        if lost:
            async with self._factory() as session, session.begin():
                again = await session.exec(
                    update(OutboxEvent)
                    .where(col(OutboxEvent.topic).in_(lost), col(OutboxEvent.published_at).is_not(None))
                    .values(published_at=None, log_partition=None, log_offset=None)
                )
            log.warning("outbox.log_lost", topics=sorted(lost), republishing=again.rowcount)
            self._last_offset.clear()
            if self.reader is not None:
                self.reader.log_lost()
        elif self.reader is not None:
            unread = await lost_topics(durability.bootstrap, self.reader.witnesses())
            if unread:  # nothing of ours was lost, but what the consumer read was
                log.warning("consumer.log_lost", topics=sorted(unread))
                self.reader.log_lost()
            else:
                self.reader.log_whole()
        if not lost:
            self._whole_as_of = began
        await self.prune()
        return lost

    async def _latest_acked(self) -> list[Acked]:
        """Per partition, the retained row published before the last check that found the log whole
        which the broker acknowledged at the highest offset; and, for a partition without one, the
        first row acknowledged there since that check. Were those the only rows of a topic (a broker
        lost soon after it started, before a check could pass), nothing else would look for them,
        and the new log, refilled by others, would pass as whole. The first is safe to look for: any
        row published after a restart came after it.

        Each is read through the index on (topic, partition, offset), one partition at a time: a
        grouped scan of a table holding a week of events took a share of a core at 100,000
        candidates, every ten seconds. The partitions are read from the table once, then learnt
        from the rows published since each check (by whichever process published them)."""
        first = (
            select(col(OutboxEvent.topic), col(OutboxEvent.log_partition), func.min(OutboxEvent.id).label("id"))
            .where(col(OutboxEvent.log_offset).is_not(None), col(OutboxEvent.published_at) >= self._whole_as_of)
            .group_by(col(OutboxEvent.topic), col(OutboxEvent.log_partition))
            .subquery()
        )
        since = await self._acked_joined(first, col(OutboxEvent.id) == first.c.id)
        async with self._factory() as session:
            if self._partitions is None:
                held = select(OutboxEvent.topic, OutboxEvent.log_partition).distinct()
                rows = (await session.exec(held.where(col(OutboxEvent.log_partition).is_not(None)))).all()
                self._partitions = {(t, p) for t, p in rows if p is not None}
            self._partitions |= {(a.topic, a.partition) for a in since}
            witnesses: dict[tuple[str, int], Acked] = {}
            for topic, partition in sorted(self._partitions):
                latest = (
                    await session.exec(
                        select(OutboxEvent.log_offset, OutboxEvent.event_id)
                        .where(
                            col(OutboxEvent.topic) == topic,
                            col(OutboxEvent.log_partition) == partition,
                            col(OutboxEvent.log_offset).is_not(None),
                            col(OutboxEvent.published_at) < self._whole_as_of,
                        )
                        .order_by(col(OutboxEvent.log_offset).desc())
                        .limit(1)
                    )
                ).first()
                if latest is not None and latest[0] is not None:
                    witnesses[(topic, partition)] = Acked(topic, partition, latest[0], latest[1])
        for acked in since:
            witnesses.setdefault((acked.topic, acked.partition), acked)  # one record looked for per partition
        return list(witnesses.values())

    async def _acked_joined(self, picked: Any, on: Any) -> list[Acked]:
        """The published rows `picked` (a subquery joined `on`), as the broker acknowledged them."""
        async with self._factory() as session:
            rows = (
                await session.exec(
                    select(OutboxEvent.topic, OutboxEvent.log_partition, OutboxEvent.log_offset, OutboxEvent.event_id)
                    .join(picked, on)
                    .where(col(OutboxEvent.published_at).is_not(None))
                )
            ).all()
        return [Acked(t, p, o, e) for t, p, o, e in rows if p is not None and o is not None]

    async def prune(self) -> int:
        """Delete the rows published before the retention window; returns how many."""
        assert self._durability is not None
        cutoff = datetime.now(UTC) - self._durability.retention
        async with self._factory() as session, session.begin():
            pruned = await session.exec(delete(OutboxEvent).where(col(OutboxEvent.published_at) < cutoff))
        if pruned.rowcount:
            log.info("outbox.pruned", rows=pruned.rowcount, before=cutoff.isoformat())
        return pruned.rowcount

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                if self._durability is not None and time.monotonic() >= self._next_check:
                    await self.keep_log_whole()
                    self._next_check = time.monotonic() + self._durability.check_every_s
                while await self.publish_pending():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox.relay_failed")
                self._next_check = 0.0  # the broker may have lost its log: look before publishing again
                await asyncio.sleep(1)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            except TimeoutError:
                pass
