"""Outbox relay and idempotent consumer against a real broker and real databases."""

import asyncio
import json
import uuid
from datetime import UTC, date, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlmodel import col, func, select

from services.central.handlers import HANDLERS
from services.central.models import ConferredAward
from shared.contracts.events import TOPIC_AWARDS, TOPIC_DEAD_LETTER, AwardConferred, envelope_for
from shared.platform.consumer import EventConsumer, ProcessedEvent
from shared.platform.db import transaction
from shared.platform.outbox import OutboxEvent, OutboxRelay, add_event
from shared.platform.processes import SHARED
from tests.helpers import eventually


def conferral(nomination_id: str) -> AwardConferred:
    return AwardConferred(
        nomination_id=nomination_id,
        award_code="HCLD_HANG_BA",
        nominee_name="Nguyễn Văn An",
        proposer_agency="U91-0001",
        agency_code="TW-CTN",
        step=3,
        actor="TW-CTN:chair",
        decision_no="1/QĐ-CTN",
        decided_on=date(2025, 5, 20).isoformat(),
    )


async def run_consumer(bootstrap: str, sessions, producer, max_attempts: int = 2, handlers=HANDLERS):  # type: ignore[no-untyped-def]
    consumer = AIOKafkaConsumer(
        TOPIC_AWARDS,
        bootstrap_servers=bootstrap,
        group_id=f"g-{uuid.uuid4()}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
    )
    await consumer.start()
    events = EventConsumer(consumer, producer, sessions, handlers, max_attempts=max_attempts)
    return consumer, asyncio.create_task(events.run()), events


async def test_relay_publishes_committed_events_and_consumer_applies_each_once(kafka_bootstrap, sessions):
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    nomination_id = str(uuid.uuid4())
    async with transaction(sessions) as session:
        add_event(
            session, conferral(nomination_id), source_agency="TW-CTN", occurred_at=datetime.now(UTC), key=nomination_id
        )
    try:
        async with transaction(sessions) as session:
            add_event(session, conferral("rolled-back"), source_agency="TW-CTN", occurred_at=datetime.now(UTC), key="x")
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    relay = OutboxRelay(sessions, producer)
    assert await relay.publish_pending() == 1
    assert await relay.publish_pending() == 0
    async with sessions() as session:
        row = (await session.exec(select(OutboxEvent))).one()
    # The same envelope delivered twice (e.g. the relay crashed before marking it published).
    await producer.send_and_wait(TOPIC_AWARDS, key=nomination_id.encode(), value=json.dumps(row.envelope).encode())

    handled: list[str] = []

    async def counted(session, envelope, event):  # type: ignore[no-untyped-def]
        handled.append(envelope.event_id)
        await HANDLERS[AwardConferred.type](session, envelope, event)

    consumer, task, events = await run_consumer(
        kafka_bootstrap, sessions, producer, handlers={AwardConferred.type: counted}
    )
    try:

        async def applied():
            async with sessions() as session:
                return (await session.exec(select(func.count()).select_from(ProcessedEvent))).one()

        assert await eventually(applied, what="the event applied") == 1

        async def both_handled() -> bool:  # the consumer committed past the duplicate too
            offsets = [await consumer.committed(tp) or 0 for tp in consumer.assignment()]
            return sum(offsets) == 2

        await eventually(both_handled, what="both deliveries handled")
        async with sessions() as session:
            assert (await session.exec(select(func.count()).select_from(ConferredAward))).one() == 1
            assert (await session.exec(select(func.count()).select_from(ProcessedEvent))).one() == 1
        # Skipped by its id before any handler ran: not handled twice (the handler here would not
        # notice a second run: it keeps the first award), and not failed (without the check, the
        # second `processed_event` row would hit its key, be retried and parked as dead).
        assert handled == [row.event_id]
        assert events.dead_lettered == 0
        assert await dead_letters(kafka_bootstrap) == []
    finally:
        task.cancel()
        await consumer.stop()
        await producer.stop()


async def dead_letters(bootstrap: str) -> list[dict]:
    """Everything on the dead-letter topic, read to its end (no group: nothing to join or wait for)."""
    dead = AIOKafkaConsumer(TOPIC_DEAD_LETTER, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await dead.start()
    try:
        while not dead.assignment():
            await dead.getmany(timeout_ms=100)
        ends = await dead.end_offsets(list(dead.assignment()))
        await dead.seek_to_beginning(*ends)
        read: list[dict] = []
        while [tp for tp, end in ends.items() if await dead.position(tp) < end]:
            batch = await dead.getmany(timeout_ms=200)
            read.extend(json.loads(r.value) for records in batch.values() for r in records)
        return read
    finally:
        await dead.stop()


async def test_malformed_and_failing_events_go_to_the_dead_letter_topic(kafka_bootstrap, sessions):
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    await producer.send_and_wait(TOPIC_AWARDS, key=b"k", value=b"{not json")
    bad = envelope_for(conferral("n-bad"), source_agency="TW-CTN", occurred_at=datetime.now(UTC))
    bad.payload["decided_on"] = "not a date"
    await producer.send_and_wait(TOPIC_AWARDS, key=b"n-bad", value=bad.model_dump_json().encode())
    good = envelope_for(conferral("n-good"), source_agency="TW-CTN", occurred_at=datetime.now(UTC))
    await producer.send_and_wait(TOPIC_AWARDS, key=b"n-good", value=good.model_dump_json().encode())

    consumer, task, _ = await run_consumer(kafka_bootstrap, sessions, producer)
    dead = AIOKafkaConsumer(
        TOPIC_DEAD_LETTER, bootstrap_servers=kafka_bootstrap, group_id=f"d-{uuid.uuid4()}", auto_offset_reset="earliest"
    )
    await dead.start()
    try:
        parked = []

        async def two_parked():
            batch = await dead.getmany(timeout_ms=200)
            parked.extend(json.loads(r.value) for records in batch.values() for r in records)
            return len(parked) >= 2

        await eventually(two_parked, what="two dead letters")
        errors = sorted(p["error"] for p in parked)
        assert errors[0].startswith("handler failed") and "not a date" in errors[0]
        assert errors[1].startswith("malformed event")

        async def good_applied():
            async with sessions() as session:
                return await session.get(ConferredAward, "n-good")

        assert await eventually(good_applied, what="the good event after the bad ones")
    finally:
        task.cancel()
        await dead.stop()
        await consumer.stop()
        await producer.stop()


async def test_a_fetch_is_applied_in_one_transaction_and_a_failing_event_alone_is_parked(kafka_bootstrap, sessions):
    """Thirty events on one partition, sent before the consumer starts, come in one or a few
    fetches: each fetch is applied in one transaction and its offsets committed in one request
    (before, one of each per event). Then thirty more with one whose handler fails: it undoes its
    fetch's transaction, the fetch is applied event by event in order, the other 29 applied once,
    it alone parked."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    run = uuid.uuid4().hex[:6]
    first = [f"n-fetch-{run}-a{i:02d}" for i in range(30)]
    second = [f"n-fetch-{run}-b{i:02d}" for i in range(30)]
    poison = second[13]

    async def send(ids: list[str]) -> None:
        for nomination_id in ids:
            sent = envelope_for(conferral(nomination_id), source_agency="TW-CTN", occurred_at=datetime.now(UTC))
            await producer.send_and_wait(TOPIC_AWARDS, key=run.encode(), value=sent.model_dump_json().encode())

    async def register(session, envelope, event):  # type: ignore[no-untyped-def]
        if event.nomination_id == poison:
            raise ValueError("cannot be applied")
        await HANDLERS[AwardConferred.type](session, envelope, event)

    counts = {"transactions": 0, "commits": 0}

    def counted_sessions():  # type: ignore[no-untyped-def]
        counts["transactions"] += 1
        return sessions()

    await send(first)
    consumer = AIOKafkaConsumer(
        TOPIC_AWARDS,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"g-{uuid.uuid4()}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
    )
    await consumer.start()
    commit = consumer.commit

    async def counted_commit(offsets=None):  # type: ignore[no-untyped-def]
        counts["commits"] += 1
        return await commit(offsets)

    consumer.commit = counted_commit  # type: ignore[method-assign]
    events = EventConsumer(consumer, producer, counted_sessions, {AwardConferred.type: register}, max_attempts=1)  # type: ignore[arg-type]
    task = asyncio.create_task(events.run())

    async def applied(ids: list[str]) -> list[str]:
        async with sessions() as session:
            statement = select(ConferredAward.nomination_id).where(col(ConferredAward.nomination_id).in_(ids))
            return sorted((await session.exec(statement)).all())

    try:

        async def first_applied() -> bool:
            return await applied(first) == first

        await eventually(first_applied, what="the first thirty applied")
        assert counts["transactions"] < 10 and counts["commits"] < 10, counts  # before: 30 and 30

        await send(second)

        async def second_handled() -> bool:
            return events.dead_lettered == 1 and await applied(second) == sorted(set(second) - {poison})

        await eventually(second_handled, what="the second thirty applied or parked")
        parked = [p for p in await dead_letters(kafka_bootstrap) if poison in (p.get("value") or "")]
        assert len(parked) == 1 and "cannot be applied" in parked[0]["error"]
        async with sessions() as session:
            statement = (
                select(func.count())
                .select_from(ConferredAward)
                .where(col(ConferredAward.nomination_id).in_(first + second))
            )
            assert (await session.exec(statement)).one() == 59  # each once
    finally:
        task.cancel()
        await consumer.stop()
        await producer.stop()


async def test_the_relays_of_a_services_processes_publish_one_at_a_time(
    kafka_bootstrap, sessions, tmp_path, monkeypatch
):
    """Two relays on one outbox, as in two processes of a service (decision 0047): publishing at
    the same moment, one publishes every row and the other none, so no row leaves twice."""
    monkeypatch.setenv(SHARED, str(tmp_path))
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        async with transaction(sessions) as session:
            for _ in range(30):
                nomination_id = str(uuid.uuid4())
                add_event(
                    session, conferral(nomination_id), source_agency="TW-CTN", occurred_at=datetime.now(UTC),
                    key=nomination_id,
                )  # fmt: skip
        first, second = OutboxRelay(sessions, producer), OutboxRelay(sessions, producer)
        assert sorted(await asyncio.gather(first.publish_pending(), second.publish_pending())) == [0, 30]
        async with sessions() as session:
            unpublished = select(func.count()).select_from(OutboxEvent).where(col(OutboxEvent.published_at).is_(None))
            assert (await session.exec(unpublished)).one() == 0
    finally:
        await producer.stop()
