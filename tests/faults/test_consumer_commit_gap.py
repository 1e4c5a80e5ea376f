"""A consumer dies between its database commit and its offset commit: the event was applied but
the broker still has it as unread. A fresh consumer of the same group gets it again and skips it
by its id (`processed_event`): applied once, not parked. Real broker, real database, in process."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.central.handlers import HANDLERS
from services.central.models import ConferredAward
from services.kit.supervision import Backoff, Supervisor
from shared.contracts.events import TOPIC_AWARDS, AwardConferred, Envelope, Event, envelope_for
from shared.contracts.tiers import Tier
from shared.platform.consumer import EventConsumer, ProcessedEvent
from shared.platform.db import make_engine, session_factory
from tests.helpers import eventually
from tests.integration.platform.test_event_delivery import conferral


class Crash(Exception):
    """The process dies here: nothing after this line runs."""


class Recording(EventConsumer):
    """Says, for every event it was given, whether it applied it or skipped it as applied before."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.outcomes: list[tuple[str, bool]] = []

    async def apply_all(self, events: list[tuple[Envelope, Event]]) -> list[bool]:
        applied = await super().apply_all(events)
        self.outcomes += [(envelope.event_id, done) for (envelope, _), done in zip(events, applied, strict=True)]
        return applied


def group_member(bootstrap: str, group: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        TOPIC_AWARDS,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
        # A member that died without leaving is waited for this long before the group goes on.
        session_timeout_ms=2000,
        heartbeat_interval_ms=300,
    )


@pytest.fixture
async def sessions(tmp_path, seeded_databases) -> AsyncIterator[async_sessionmaker[AsyncSession]]:  # type: ignore[no-untyped-def]
    """The central service's database (SQLite: the embedded run's)."""
    engine = make_engine(await seeded_databases.url("sqlite", Tier.CENTRAL, tmp_path, "central"))
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def test_an_event_applied_before_a_crash_is_redelivered_and_skipped(kafka_bootstrap, sessions):
    """Thirty conferrals in flight, over the topic's partitions; the consumer dies at its first
    offset commit, after its fetch's database commit (decision 0041: a fetch is applied in one
    transaction, its offsets committed in one request); twenty more arrive while no member runs. A
    fresh member of the group gets again what was not committed: the events applied before the
    crash are skipped by their ids, every other is applied, each once, none parked."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    group = f"central-{uuid.uuid4().hex[:8]}"

    async def send(count: int) -> list[str]:
        sent = [
            envelope_for(conferral(str(uuid.uuid4())), source_agency="TW-CTN", occurred_at=datetime.now(UTC))
            for _ in range(count)
        ]
        await asyncio.gather(*(
            producer.send_and_wait(TOPIC_AWARDS, key=e.nomination_id.encode(), value=e.model_dump_json().encode())
            for e in sent
        ))  # fmt: skip
        return [e.event_id for e in sent]

    before = await send(30)
    first = group_member(kafka_bootstrap, group)
    await first.start()

    async def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise Crash("killed after the database commit, before the offset commit")

    first.commit = crash  # type: ignore[method-assign]
    dying = Recording(first, producer, sessions, HANDLERS, group=group)
    try:
        with pytest.raises(Crash):
            await asyncio.wait_for(dying.run(), 30)
        assert dying.outcomes and all(applied for _, applied in dying.outcomes), dying.outcomes
        killed_with = [event_id for event_id, _ in dying.outcomes]  # in the database, their offsets not
        partitions = first.assignment()
    finally:
        await first.stop()
    after = await send(20)  # while no member of the group runs

    second = group_member(kafka_bootstrap, group)
    await second.start()
    restarted = Recording(second, producer, sessions, HANDLERS, group=group)
    task = asyncio.create_task(restarted.run())
    try:

        async def handled() -> bool:
            return sum([await second.committed(tp) or 0 for tp in partitions]) == 50

        await eventually(handled, what="every event handled and its offset committed")
        skipped = [event_id for event_id, applied in restarted.outcomes if not applied]
        assert sorted(skipped) == sorted(killed_with)  # delivered again, skipped as applied
        applied = [event_id for event_id, done in dying.outcomes + restarted.outcomes if done]
        assert sorted(applied) == sorted([*before, *after])  # nothing lost, nothing applied twice
        assert restarted.dead_lettered == 0
        async with sessions() as session:
            assert (await session.exec(select(func.count()).select_from(ConferredAward))).one() == 50
            assert (await session.exec(select(func.count()).select_from(ProcessedEvent))).one() == 50
    finally:
        task.cancel()
        await second.stop()
        await producer.stop()


async def test_a_consumer_task_that_dies_mid_batch_is_restarted_and_skips_nothing(kafka_bootstrap, sessions):
    """The consumer task raises while parking a poison event (the broker refused the dead letter):
    the supervisor runs it again, and the new run goes back to the committed offset, so the poison
    event is parked and the good one after it applied, instead of both being passed over."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    refusals = [KafkaConnectionError("the broker went away while parking")]

    class Flaky:
        async def send_and_wait(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if refusals:
                raise refusals.pop()
            return await producer.send_and_wait(*args, **kwargs)

    async def register(session, envelope, event):  # type: ignore[no-untyped-def]
        if event.nomination_id == "n-poison":
            raise ValueError("cannot be applied")
        await HANDLERS[AwardConferred.type](session, envelope, event)

    group = f"central-{uuid.uuid4().hex[:8]}"
    for nomination_id in ("n-poison", "n-good"):  # one key: one partition, read in one batch
        sent = envelope_for(conferral(nomination_id), source_agency="TW-CTN", occurred_at=datetime.now(UTC))
        await producer.send_and_wait(TOPIC_AWARDS, key=b"same", value=sent.model_dump_json().encode())
    member = group_member(kafka_bootstrap, group)
    await member.start()
    events = EventConsumer(member, Flaky(), sessions, {AwardConferred.type: register}, max_attempts=1, group=group)  # type: ignore[arg-type]
    supervisor = Supervisor(backoff=Backoff(first_s=0.1))
    supervisor.start("event-consumer", events.run)
    try:

        async def good_applied():  # type: ignore[no-untyped-def]
            async with sessions() as session:
                return await session.get(ConferredAward, "n-good")

        await eventually(good_applied, what="the event after the poison applied")
        assert supervisor.tasks["event-consumer"].restarts == 1 and refusals == []
        assert events.dead_lettered == 1  # parked once, by the second run
    finally:
        await supervisor.stop()
        await member.stop()
        await producer.stop()
