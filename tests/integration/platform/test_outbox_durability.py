"""The relay against a real broker that loses its log: topics come back, kept rows go again."""

import asyncio
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlmodel import col, select

from deploy.embedded import wait_for_port
from services.central.handlers import HANDLERS
from shared.contracts.events import ALL_TOPICS, TOPIC_AWARDS, TOPIC_NOMINEES, AwardConferred, envelope_for
from shared.platform.broker_log import Acked
from shared.platform.consumer import EventConsumer, ProcessedEvent
from shared.platform.db import transaction
from shared.platform.outbox import Durability, OutboxEvent, OutboxRelay, add_event
from shared.platform.topics import ensure_topics, topic_partitions
from tests.conftest import start_broker
from tests.helpers import eventually
from tests.integration.platform.test_event_delivery import conferral


async def record(sessions, count: int, *, keys: int | list[str] | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """`count` events on the awards topic, under `keys` distinct keys (one each by default), or these keys."""
    names = keys if isinstance(keys, list) else [str(uuid.uuid4()) for _ in range(keys or count)]
    ids = [names[i % len(names)] for i in range(count)]
    async with transaction(sessions) as session:
        for nomination_id in ids:
            add_event(
                session,
                conferral(nomination_id),
                source_agency="TW-CTN",
                occurred_at=datetime.now(UTC),
                key=nomination_id,
            )
    return ids


async def delivered(bootstrap: str) -> list[str]:
    consumer = AIOKafkaConsumer(
        TOPIC_AWARDS, bootstrap_servers=bootstrap, group_id=f"r-{uuid.uuid4()}", auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=2000)
        return [r.key.decode() for records in batch.values() for r in records if r.key]
    finally:
        await consumer.stop()


async def partitions_of(bootstrap: str) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return await topic_partitions(admin)
    finally:
        await admin.close()


async def lose_and_refill(broker, bootstrap: str, rows: list[OutboxEvent]) -> None:  # type: ignore[no-untyped-def]
    """The broker restarts empty (memory only), and another service refills each partition that
    held `rows` past their offsets: comparing end offsets would see no loss."""
    broker.kill()
    broker.start()
    wait_for_port(int(bootstrap.rsplit(":", 1)[1]), broker.proc, "restarted broker")
    await ensure_topics(bootstrap, 12, [TOPIC_AWARDS])
    other = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await other.start()
    try:
        for row in rows:
            for _ in range(5):
                await other.send_and_wait(TOPIC_AWARDS, b'{"event_id": "other"}', partition=row.log_partition)
    finally:
        await other.stop()


async def test_rows_published_before_any_check_passed_are_looked_for_once_the_broker_lost_its_log(
    runtime_dir, sessions
):
    """A broker lost soon after the relay started: no check had yet found its rows in the log, and
    other services refilled the new log past their offsets. They still go again (the fault suite's
    broker restart lost a district's events this way)."""
    broker, bootstrap = await start_broker(runtime_dir)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        await producer.start()
        relay = OutboxRelay(sessions, producer, durability=Durability(bootstrap))
        await record(sessions, 4, keys=2)
        assert await relay.publish_pending() == 4  # and no check yet
        async with sessions() as session:
            rows = (await session.exec(select(OutboxEvent))).all()
        await lose_and_refill(broker, bootstrap, rows)
        assert await relay.keep_log_whole() == {TOPIC_AWARDS}
        assert await relay.publish_pending() == 4
    finally:
        await producer.stop()
        broker.stop()


async def test_a_relay_looks_for_rows_another_process_of_its_service_published(runtime_dir, sessions):
    """A service served by two processes: one publishes, the other checks the log. The checker
    reads each partition's latest row through the index, for the partitions it knows: those it
    found at its first check, and those it learns from the rows published since each check, by
    whichever process. Rows the other published, once older than a passed check, are looked for."""
    broker, bootstrap = await start_broker(runtime_dir)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        await producer.start()
        checker = OutboxRelay(sessions, producer, durability=Durability(bootstrap))
        publisher = OutboxRelay(sessions, producer, durability=Durability(bootstrap))
        assert await checker.keep_log_whole() == set()  # nothing in the table yet: no partition known
        await record(sessions, 4, keys=2)
        assert await publisher.publish_pending() == 4
        assert await checker.keep_log_whole() == set()  # learnt the publisher's partitions; the log is whole
        async with sessions() as session:
            rows = (await session.exec(select(OutboxEvent))).all()
        await lose_and_refill(broker, bootstrap, rows)
        assert await checker.keep_log_whole() == {TOPIC_AWARDS}
    finally:
        await producer.stop()
        broker.stop()


async def test_a_broker_that_lost_its_log_gets_the_kept_rows_again(runtime_dir, sessions):
    broker, bootstrap = await start_broker(runtime_dir)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        await producer.start()
        relay = OutboxRelay(sessions, producer, durability=Durability(bootstrap))
        # Several records per partition in one batch: Tansu then reports an end offset below the
        # last of them, which must not pass for a loss.
        sent = await record(sessions, 6, keys=2)
        assert await relay.publish_pending() == 6
        assert await relay.keep_log_whole() == set()  # a whole log: nothing goes again
        async with sessions() as session:
            rows = (await session.exec(select(OutboxEvent))).all()
        assert all(r.published_at and r.log_partition is not None and r.log_offset is not None for r in rows)

        broker.kill()
        broker.start()  # same port, memory-only: an empty log
        wait_for_port(int(bootstrap.rsplit(":", 1)[1]), broker.proc, "restarted broker")
        # Other services came first: one created the awards topic and refilled each partition that
        # held our rows past their offsets (comparing end offsets would see no loss); another wrote
        # to a topic nobody had created, which the broker created narrow.
        await ensure_topics(bootstrap, 12, [TOPIC_AWARDS])
        other = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await other.start()
        try:
            await other.send_and_wait(TOPIC_NOMINEES, b"{}", key=b"someone")
            assert (await partitions_of(bootstrap))[TOPIC_NOMINEES] < 12
            for row in rows:
                for _ in range(5):
                    await other.send_and_wait(TOPIC_AWARDS, b'{"event_id": "other"}', partition=row.log_partition)
        finally:
            await other.stop()
        # And the relay itself wrote to the new log before its check, above its old rows in every
        # partition that held them: its latest rows are there, which proves nothing.
        sent += await record(sessions, 2, keys=sorted(set(sent)))
        assert await relay.publish_pending() == 2

        assert await relay.keep_log_whole() == {TOPIC_AWARDS}
        assert await partitions_of(bootstrap) == dict.fromkeys(ALL_TOPICS, 12)
        async with sessions() as session:
            waiting = (await session.exec(select(OutboxEvent).where(col(OutboxEvent.published_at).is_(None)))).all()
            rows = (await session.exec(select(OutboxEvent))).all()
        assert sorted(r.event_id for r in waiting) == sorted(r.event_id for r in rows)
        assert await relay.publish_pending() == 8
        assert sorted(await delivered(bootstrap)) == sorted(sent + sent[-2:])  # the last two went twice
        assert await relay.keep_log_whole() == set()
    finally:
        await producer.stop()
        broker.stop()


async def test_rows_published_before_the_retention_window_are_pruned(sessions):
    relay = OutboxRelay(sessions, producer=None, durability=Durability("unused:9092", retention=timedelta(hours=1)))  # type: ignore[arg-type]
    old, recent, pending = await record(sessions, 3)
    now = datetime.now(UTC)
    async with transaction(sessions) as session:
        for row in (await session.exec(select(OutboxEvent))).all():
            key = row.key
            row.published_at = {old: now - timedelta(hours=2), recent: now - timedelta(minutes=10)}.get(key)
            session.add(row)
    assert await relay.prune() == 1
    async with sessions() as session:
        kept = {r.key for r in (await session.exec(select(OutboxEvent))).all()}
    assert kept == {recent, pending}


class Told:
    """The consumer as the relay sees it, counting how often it was told the log was lost."""

    def __init__(self, events: EventConsumer) -> None:
        self.events, self.lost = events, 0

    def witnesses(self) -> list[Acked]:
        return self.events.witnesses()

    def log_whole(self) -> None:
        self.events.log_whole()

    def log_lost(self) -> None:
        self.lost += 1
        self.events.log_lost()


async def test_a_service_that_wrote_nothing_learns_that_the_log_it_read_was_lost(runtime_dir, sessions):
    """Central wrote nothing before the broker lost its log, so its relay finds nothing of its own
    missing; but its consumer had read other services' events, and kept its positions in the old
    log. Before the relay's next check it reads on in the new log from where it was (records at and
    past its old position), while the records written below that position go unread. The check
    looks for what the consumer had read when the previous check found the log whole, so it still
    finds the loss (a fault run once left 46 events unread at province and central, whose last
    reads were all new ones by then); the consumer then reads the new log from its start and commits
    that start, so that the group's rejoining does not put it back where it was."""
    broker, bootstrap = await start_broker(runtime_dir)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    # Partitions assigned, not subscribed: no rebalance moves the position this test puts it at.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=f"c-{uuid.uuid4()}", enable_auto_commit=False,
        auto_offset_reset="earliest", fetch_max_wait_ms=100,
    )  # fmt: skip

    async def send(names: list[str]) -> list[str]:
        other = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await other.start()
        try:
            sent = [envelope_for(conferral(n), source_agency="TW-CTN", occurred_at=datetime.now(UTC)) for n in names]
            for envelope in sent:  # one key: one partition, in order
                await other.send_and_wait(TOPIC_AWARDS, envelope.model_dump_json().encode(), key=b"same")
            return [envelope.event_id for envelope in sent]
        finally:
            await other.stop()

    async def read_until(offset: int) -> None:
        while max((r.offset for r in events._read.values()), default=-1) < offset:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                await events._handle_all(records)

    async def applied(ids: list[str]) -> set[str]:
        async with sessions() as session:
            return set((await session.exec(select(ProcessedEvent.event_id))).all()) & set(ids)

    try:
        await producer.start()
        await consumer.start()
        consumer.assign([TopicPartition(TOPIC_AWARDS, p) for p in range(12)])
        events = EventConsumer(consumer, producer, sessions, {AwardConferred.type: HANDLERS[AwardConferred.type]})
        relay = OutboxRelay(sessions, producer, durability=Durability(bootstrap))
        relay.reader = told = Told(events)
        old = await send([f"n-old-{i}" for i in range(4)])
        await read_until(3)
        assert await relay.keep_log_whole() == set() and told.lost == 0  # the log is whole
        (tp,) = {TopicPartition(r.topic, r.partition) for r in events.witnesses()}

        broker.kill()
        broker.start()  # same port, memory-only: an empty log
        wait_for_port(int(bootstrap.rsplit(":", 1)[1]), broker.proc, "restarted broker")
        await ensure_topics(bootstrap, 12, [TOPIC_AWARDS])
        new = await send([f"n-new-{i}" for i in range(6)])  # the new log: offsets 0 to 5
        consumer.seek(tp, 4)  # where the consumer was in the old log
        await read_until(5)
        assert await applied(old + new) == set(old + new[4:])  # it read on; the four below, unread
        assert await relay.keep_log_whole() == set()  # none of the relay's own rows were lost
        assert told.lost == 1  # but the consumer is told to read the new log from its start
        await events._go_back_to_start()
        assert (await consumer.committed(tp), await consumer.position(tp)) == (0, 0)  # the start, committed

        running = asyncio.create_task(events.run())
        try:
            await eventually(lambda: _all(applied(new), new), what="the new log read from its start")
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
        committed = await consumer.committed(tp)
        assert committed == 6, committed
        assert await relay.keep_log_whole() == set() and told.lost == 1  # the new log is whole
    finally:
        await consumer.stop()
        await producer.stop()
        broker.stop()


async def _all(found: Awaitable[set[str]], ids: list[str]) -> bool:
    return await found == set(ids)
