"""Idempotent Kafka consumer: apply, commit the database, then commit the offset.

What one fetch brings is applied in order in ONE transaction, then its offsets committed in one
request (a transaction and a broker round trip per event cost more than the handlers). An event id
already in `processed_event` is skipped. If a handler fails, that transaction is rolled back and
the fetch is applied again event by event, each in its own transaction: a handler that keeps
failing is retried a bounded number of times, then the message is parked on the dead-letter topic
with the error and the consumer group that parked it, so that the group's service can replay it
after a fix (shared/platform/dead_letters.py) through the same `apply`.
"""

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts.events import (
    TOPIC_DEAD_LETTER,
    Envelope,
    Event,
    parse_event,
)
from shared.platform.broker_log import Acked
from shared.platform.db import write_queued


class ProcessedEvent(SQLModel, table=True):
    """Event ids a consumer has applied: redelivery of the same id is a no-op."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True)
    event_type: str
    processed_at: datetime


log = structlog.get_logger()

Handler = Callable[[AsyncSession, Envelope, Event], Awaitable[None]]


def chained(*handlers: Handler) -> Handler:
    """One handler that runs several in order, in the consumer's single transaction."""

    async def run(session: AsyncSession, envelope: Envelope, event: Event) -> None:
        for handler in handlers:
            await handler(session, envelope, event)

    return run


def merge_handlers(*tables: dict[str, Handler]) -> dict[str, Handler]:
    """Handlers by event type; where several tables handle a type, all run, in table order."""
    merged: dict[str, list[Handler]] = {}
    for table in tables:
        for event_type, handler in table.items():
            merged.setdefault(event_type, []).append(handler)
    return {t: hs[0] if len(hs) == 1 else chained(*hs) for t, hs in merged.items()}


class SaysAssignments(ConsumerRebalanceListener):
    """Logs the partitions this member of the group holds after each rebalance, per topic: whether
    the processes of a service share the work (decision 0047) is then read in their logs."""

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        log.info("consumer.partitions_revoked", partitions=len(revoked), pid=os.getpid())

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        held: dict[str, int] = {}
        for tp in assigned:
            held[tp.topic] = held.get(tp.topic, 0) + 1
        log.info("consumer.partitions_assigned", partitions=len(assigned), by_topic=held, pid=os.getpid())


class EventConsumer:
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        producer: AIOKafkaProducer,
        factory: async_sessionmaker[AsyncSession],
        handlers: dict[str, Handler],
        *,
        max_attempts: int = 5,
        group: str = "",
    ) -> None:
        self._consumer = consumer
        self._producer = producer
        self._factory = factory
        self._handlers = handlers
        self._max_attempts = max_attempts
        self.group = group  # named on what it dead-letters
        self.dead_lettered = 0  # since this process started: the metrics show it
        self._from_start = False  # the broker lost its log: read every partition again from its start
        # Per partition, the last record read (its offset and event id), and a witness: a record read
        # before the last check that found the log whole (or the first read since). If the broker no
        # longer holds a witness where it was, the log this consumer reads from was lost (decision
        # 0032). A witness moves only once a check has passed: a consumer that kept its positions
        # reads the new log from there before the check, and what it reads there is in that log.
        self._read: dict[tuple[str, int], Acked] = {}
        self._witness: dict[tuple[str, int], Acked] = {}
        self._checking: dict[tuple[str, int], Acked] = {}  # the last reads when the running check began

    async def lag(self) -> dict[str, int]:
        """Records not yet consumed, per topic, over the partitions this consumer holds."""
        behind: dict[str, int] = {}
        for tp in self._consumer.assignment():
            highwater = self._consumer.highwater(tp)
            if highwater is None:
                continue
            behind[tp.topic] = behind.get(tp.topic, 0) + max(0, highwater - await self._consumer.position(tp))
        return behind

    def witnesses(self) -> list[Acked]:
        """What the relay's check of the broker's log looks for, as it does for what the relay wrote:
        a service that wrote nothing before the broker lost its log (so its relay finds nothing of
        its own missing) still learns that the log it was reading is gone. Called as a check begins."""
        self._checking = dict(self._read)
        return list(self._witness.values())

    def log_whole(self) -> None:
        """The check that began at the last `witnesses()` found every witness in place: what had been
        read by then was read from the log the broker holds now, and serves as the next witnesses."""
        self._witness.update(self._checking)

    def log_lost(self) -> None:
        """The broker lost its log (the relay noticed, decision 0032): the new log is read from its
        start, since a position kept from the old one may lie past records the new log holds (a
        broker answers a fetch past the end with nothing, and the records written since land below
        it). What was applied already is skipped by event id. The start is committed, so that the
        group's rejoining, which resumes from committed offsets, does not undo it."""
        self._from_start = True
        self._read.clear()
        self._witness.clear()
        self._checking.clear()

    async def run(self) -> None:
        await self._rewind()
        while True:
            if self._from_start:
                await self._go_back_to_start()
            batches = await self._consumer.getmany(timeout_ms=500, max_records=200)
            if not batches:
                continue
            await self._handle_all([record for records in batches.values() for record in records])
            try:
                await self._consumer.commit({tp: records[-1].offset + 1 for tp, records in batches.items()})
            except (CommitFailedError, IllegalStateError) as err:
                # The group went on without this member (a broker restarted empty forgets it): the
                # next fetch rejoins and resumes from the committed offsets, and what was applied
                # already is skipped by event id (decision 0032).
                log.warning("consumer.commit_failed", error=str(err))

    async def _go_back_to_start(self) -> None:
        """Seek every partition held to its start and commit that; tried again at the next fetch
        until the commit holds (while the group is rejoining it does not, and the rejoin would resume
        from whatever was committed last, perhaps a position kept from the lost log)."""
        held = list(self._consumer.assignment())
        if not held:
            return
        try:
            starts = await self._consumer.beginning_offsets(held)
            for tp, offset in starts.items():
                self._consumer.seek(tp, offset)
            await self._consumer.commit(starts)
        except KafkaError as err:
            log.warning("consumer.start_not_committed", error=str(err))
            return
        self._from_start = False
        log.warning("consumer.reading_again_from_start", partitions=len(held))

    async def _rewind(self) -> None:
        """Resume from the committed offsets: a run that failed may have read past a record it
        neither applied nor parked, and a restarted run must not skip it."""
        for tp in self._consumer.assignment():
            committed = await self._consumer.committed(tp)
            if committed is None:
                await self._consumer.seek_to_beginning(tp)
            else:
                self._consumer.seek(tp, committed)

    def handles(self, event_type: str) -> bool:
        return event_type in self._handlers

    async def _handle_all(self, records: list[ConsumerRecord]) -> None:
        """One fetch: the events this service handles applied in one transaction; if a handler
        fails, that transaction is undone and every record is handled on its own, in order."""
        events: list[tuple[Envelope, Event]] = []
        for record in records:
            item = self._parse(record)
            if isinstance(item, str):  # a malformed one: each handled on its own, it parked in its place
                for each in records:
                    await self._handle(each)
                return
            envelope, event = item
            self._remember(record, envelope)
            if event is not None:
                events.append((envelope, event))
        if not events:
            return
        try:
            await self.apply_all(events)
        except Exception as exc:  # noqa: BLE001 - undone as a whole; each is tried on its own below
            log.warning("consumer.batch_failed", events=len(events), error=str(exc))
            for record in records:
                await self._handle(record)

    def _remember(self, record: ConsumerRecord, envelope: Envelope) -> None:
        read = Acked(record.topic, record.partition, record.offset, envelope.event_id)
        self._read[(record.topic, record.partition)] = read
        self._witness.setdefault((record.topic, record.partition), read)

    def _parse(self, record: ConsumerRecord) -> tuple[Envelope, Event | None] | str:
        """The envelope, with the event if this service handles it; or why it cannot be read."""
        try:
            envelope = Envelope.model_validate_json(record.value)
            return envelope, parse_event(envelope) if envelope.type in self._handlers else None
        except (ValidationError, KeyError, ValueError) as exc:
            return f"malformed event: {exc}"

    async def _handle(self, record: ConsumerRecord) -> None:
        parsed = self._parse(record)
        if isinstance(parsed, str):
            await self._dead_letter(record, parsed)
            return
        envelope, event = parsed
        self._remember(record, envelope)
        if event is None:
            return
        with structlog.contextvars.bound_contextvars(
            event_id=envelope.event_id,
            event_type=envelope.type,
            nomination_id=envelope.nomination_id,
        ):
            for attempt in range(1, self._max_attempts + 1):
                try:
                    await self.apply(envelope, event)
                    return
                except Exception as exc:  # noqa: BLE001 - every failure is retried then parked
                    log.warning("consumer.handler_failed", attempt=attempt, error=str(exc))
                    if attempt == self._max_attempts:
                        await self._dead_letter(record, f"handler failed: {exc!r}")
                        return
                    await asyncio.sleep(min(0.1 * 2**attempt, 2.0))

    async def apply(self, envelope: Envelope, event: Event) -> bool:
        """Apply the event and record its id in one transaction; False if its id was applied before."""
        return (await self.apply_all([(envelope, event)]))[0]

    async def apply_all(self, events: list[tuple[Envelope, Event]]) -> list[bool]:
        """Apply the events in order and record their ids, all in one transaction; for each, whether
        it was applied (False: its id was applied before, or earlier in this list)."""
        applied: list[bool] = []
        processed: list[ProcessedEvent] = []
        async with self._factory() as session, session.begin():
            ids = [envelope.event_id for envelope, _ in events]
            seen = set(
                (await session.exec(select(ProcessedEvent.event_id).where(col(ProcessedEvent.event_id).in_(ids)))).all()
            )
            for envelope, event in events:
                if envelope.event_id in seen:
                    log.debug("consumer.duplicate_skipped", event_id=envelope.event_id)
                    applied.append(False)
                    continue
                seen.add(envelope.event_id)
                with structlog.contextvars.bound_contextvars(
                    event_id=envelope.event_id, event_type=envelope.type, nomination_id=envelope.nomination_id
                ):
                    await self._handlers[envelope.type](session, envelope, event)
                processed.append(
                    ProcessedEvent(event_id=envelope.event_id, event_type=envelope.type, processed_at=datetime.now(UTC))
                )
                applied.append(True)
            await write_queued(session)  # what the handlers queued, each table's rows in one statement
            session.add_all(processed)  # last: written together, not one by one between the handlers' reads
        log.info("consumer.applied", events=sum(applied), skipped=len(applied) - sum(applied))
        return applied

    async def _dead_letter(self, record: ConsumerRecord, error: str) -> None:
        log.error("consumer.dead_lettered", topic=record.topic, offset=record.offset, error=error)
        value = json.dumps(
            {
                "group": self.group,
                "source_topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "error": error,
                "value": record.value.decode(errors="replace") if record.value else None,
            },
            ensure_ascii=False,
        ).encode()
        await self._producer.send_and_wait(TOPIC_DEAD_LETTER, key=record.key, value=value)
        self.dead_lettered += 1  # parked: a refused send raises, and the record is read again
