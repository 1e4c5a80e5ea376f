"""The relay against a real broker that loses its log: topics come back, kept rows go again."""

import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from sqlmodel import col, select

from deploy.embedded import wait_for_port
from services.central.handlers import HANDLERS
from shared.contracts.events import ALL_TOPICS, TOPIC_AWARDS, TOPIC_NOMINEES, AwardConferred, envelope_for
from shared.platform.consumer import EventConsumer
from shared.platform.db import transaction
from shared.platform.outbox import Durability, OutboxEvent, OutboxRelay, add_event
from shared.platform.topics import ensure_topics, topic_partitions
from tests.conftest import start_broker
from tests.integration.platform.test_event_delivery import conferral


async def record(sessions, count: int, *, keys: int | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """`count` events on the awards topic, under `keys` distinct keys (one each by default)."""
    names = [str(uuid.uuid4()) for _ in range(keys or count)]
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

        assert await relay.keep_log_whole() == {TOPIC_AWARDS}
        assert await partitions_of(bootstrap) == dict.fromkeys(ALL_TOPICS, 12)
        async with sessions() as session:
            waiting = (await session.exec(select(OutboxEvent).where(col(OutboxEvent.published_at).is_(None)))).all()
        assert sorted(r.event_id for r in waiting) == sorted(r.event_id for r in rows)
        assert await relay.publish_pending() == 6
        assert sorted(await delivered(bootstrap)) == sorted(sent)
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


async def test_a_service_that_wrote_nothing_learns_that_the_log_it_read_was_lost(runtime_dir, sessions):
    """Central wrote nothing before the broker lost its log, so its relay finds nothing of its own
    missing; but its consumer had read other services' events, and kept its positions in the old
    log. The relay's check covers what the consumer last read too, and tells it to read the new log
    from its start (a fault test once left 49 events unread at central so)."""
    broker, bootstrap = await start_broker(runtime_dir)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    other = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    consumer = AIOKafkaConsumer(
        TOPIC_AWARDS, bootstrap_servers=bootstrap, group_id=f"c-{uuid.uuid4()}", enable_auto_commit=False,
        auto_offset_reset="earliest", fetch_max_wait_ms=100,
    )  # fmt: skip
    try:
        await producer.start()
        await other.start()
        await consumer.start()
        events = EventConsumer(consumer, producer, sessions, {AwardConferred.type: HANDLERS[AwardConferred.type]})
        for i in range(4):
            sent = envelope_for(conferral(f"n-read-{i}"), source_agency="TW-CTN", occurred_at=datetime.now(UTC))
            await other.send_and_wait(TOPIC_AWARDS, sent.model_dump_json().encode(), key=b"same")
        while len(events.last_read()) < 1 or events.last_read()[0].offset < 3:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                await events._handle_all(records)
        relay = OutboxRelay(sessions, producer, durability=Durability(bootstrap))
        told: list[bool] = []

        def lost() -> None:
            told.append(True)
            events.read_again_from_start()

        relay.on_log_lost = lost
        relay.read_by_consumer = events.last_read
        assert await relay.keep_log_whole() == set() and told == []  # the log is whole

        broker.kill()
        broker.start()  # same port, memory-only: an empty log
        wait_for_port(int(bootstrap.rsplit(":", 1)[1]), broker.proc, "restarted broker")
        await ensure_topics(bootstrap, 12, [TOPIC_AWARDS])
        partition = events.last_read()[0].partition
        refill = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await refill.start()
        try:
            for _ in range(6):  # another service refills the partition past where the consumer was
                await refill.send_and_wait(TOPIC_AWARDS, b'{"event_id": "other"}', partition=partition)
        finally:
            await refill.stop()
        assert await relay.keep_log_whole() == set()  # none of the relay's own rows were lost
        assert told == [True]  # but the consumer is told to read the new log from its start
        assert events.last_read() == []
    finally:
        await consumer.stop()
        await other.stop()
        await producer.stop()
        broker.stop()
