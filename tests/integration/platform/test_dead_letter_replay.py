"""After a fix, replaying the dead-letter topic applies a parked event once: the first replay
applies it, a second applies nothing; what another service parked is left alone. Real broker and
database (SQLite; the replay's writes are the consumer's own `apply`, which test_event_delivery.py
runs on both backends)."""

import asyncio
import json
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlmodel import func, select

from deploy.demo_data import CENTRAL_BOARD
from services.central.handlers import HANDLERS
from services.central.models import ConferredAward
from shared.contracts.events import TOPIC_AWARDS, TOPIC_DEAD_LETTER, AwardConferred, envelope_for
from shared.contracts.tiers import Tier
from shared.platform.consumer import EventConsumer
from shared.platform.dead_letters import replay_dead_letters
from tests.helpers import auth, eventually
from tests.integration.platform.test_event_delivery import conferral


@pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)
async def test_a_fixed_event_is_applied_once_by_the_replay(kafka_bootstrap, tier_http):
    client, sessions = await tier_http(Tier.CENTRAL, kafka_bootstrap_servers=kafka_bootstrap)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    broken = True
    applied: list[str] = []

    async def register(session, envelope, event):  # type: ignore[no-untyped-def]
        if broken:
            raise RuntimeError("the registry's table is locked")
        applied.append(envelope.event_id)
        await HANDLERS[AwardConferred.type](session, envelope, event)

    group = f"tdkt-central-{uuid.uuid4().hex[:6]}"
    consumer = AIOKafkaConsumer(
        TOPIC_AWARDS, bootstrap_servers=kafka_bootstrap, group_id=group, enable_auto_commit=False,
        auto_offset_reset="earliest", fetch_max_wait_ms=50,
    )  # fmt: skip
    await consumer.start()
    events = EventConsumer(consumer, producer, sessions, {AwardConferred.type: register}, max_attempts=2, group=group)
    parked = envelope_for(conferral("n-parked"), source_agency="TW-CTN", occurred_at=datetime.now(UTC))
    await producer.send_and_wait(TOPIC_AWARDS, key=b"n-parked", value=parked.model_dump_json().encode())
    # Another service's dead letter of an event this one handles: not this service's to replay.
    theirs = envelope_for(conferral("n-theirs"), source_agency="TW-CTN", occurred_at=datetime.now(UTC))
    other = {"group": "tdkt-province", "source_topic": TOPIC_AWARDS, "error": "x", "value": theirs.model_dump_json()}
    await producer.send_and_wait(TOPIC_DEAD_LETTER, value=json.dumps(other).encode())
    client._transport.app.state.kit.events = events  # the service's consumer, running
    task = asyncio.create_task(events.run())
    try:
        await eventually(lambda: asyncio.sleep(0, events.dead_lettered == 1), what="the event parked")
        assert applied == []

        broken = False  # the fix; then an admin replays (`tdkt events replay-dead-letters`)
        answer = await client.post("/events/dead-letters/replay", headers=auth(CENTRAL_BOARD, "admin"))
        assert answer.status_code == 200, answer.text
        first = answer.json()
        assert first["applied"] == [parked.event_id] and applied == [parked.event_id]
        assert (first["read"], first["other_services"], first["failed"]) == (2, 1, [])
        async with sessions() as session:
            assert (await session.get(ConferredAward, "n-parked")) is not None
            assert (await session.get(ConferredAward, "n-theirs")) is None

        again = await replay_dead_letters(events, bootstrap=kafka_bootstrap)
        assert again.applied == [] and again.already_applied == [parked.event_id] and applied == [parked.event_id]
        later = await replay_dead_letters(events, bootstrap=kafka_bootstrap, since=datetime.now(UTC))
        assert later.applied == later.already_applied == [] and later.other_services == 2
        async with sessions() as session:
            assert (await session.exec(select(func.count()).select_from(ConferredAward))).one() == 1
    finally:
        task.cancel()
        await consumer.stop()
        await producer.stop()


@pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)
async def test_only_an_admin_replays_and_a_service_without_a_consumer_says_so(tier_http):
    client, _ = await tier_http(Tier.PROVINCE)
    refused = await client.post("/events/dead-letters/replay", headers=auth("P91", "clerk"))
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    none = await client.post("/events/dead-letters/replay", headers=auth("P91", "admin"))
    assert none.status_code == 409 and "no event consumer" in none.json()["detail"]
