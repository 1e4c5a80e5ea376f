"""The broker killed while twenty-six nominations are driven along their routes, and restarted empty a
minute later: nothing is lost.

The embedded broker keeps its log in memory, so the restart loses every record and every committed
offset. The relays notice, create the topics again and republish what they kept (decision 0032);
the consumers rejoin on their own. No service is restarted. Meanwhile most of the fleet goes on
(decisions need Temporal and the databases, not the broker), a second tờ trình is submitted, and
some nominations wait out the outage at their level and move only after it.
"""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from deploy.embedded import wait_for_port
from shared.contracts.events import ALL_TOPICS
from shared.platform.topics import topic_partitions
from tests.conftest import fresh_namespace
from tests.e2e.conftest import RunningSystem, run_system
from tests.faults.fleet import Fleet
from tests.faults.plans import LEVELS, PROVINCE_AWARD, STATE_AWARD, Plan, mix, spread
from tests.faults.verdict import verify_fleet

OUTAGE_S = 60


@pytest.fixture(scope="module")
async def system(tmp_path_factory, temporal_address, seeded_databases) -> AsyncIterator[RunningSystem]:  # type: ignore[no-untyped-def]
    async for running in run_system(
        tmp_path_factory.mktemp("broker-restart"), temporal_address, fresh_namespace(), "sqlite", seeded_databases,
        service_env={"OUTBOX_CHECK_SECONDS": "2"},  # the services look for a lost log every 2 s, not every 10
    ):  # fmt: skip
        yield running


async def test_broker_killed_and_restarted_empty_loses_nothing(system: RunningSystem) -> None:
    assert system.broker is not None and system.broker.proc is not None
    services = {tier: child.proc.pid for tier, child in system.stack.services.items() if child.proc}
    fleet = Fleet(system)
    await fleet.set_up_councils(LEVELS[:3])
    fleet.watch(LEVELS)
    try:
        flights = await fleet.submit(mix("11", many=20), "11/TTr-THSS", "Trần Văn Trước")
        after = flights[::5]  # these are driven to their waiting levels and wait out the outage there
        during = fleet.start([f for f in flights if f not in after])
        waiting = asyncio.create_task(fleet.fly(after, until=spread(flights)))
        await fleet.busy(LEVELS[1][1])  # decisions are being taken; their events are in flight
        system.broker.kill()  # at once: events of the decisions just taken may be unpublished or unconsumed
        killed_at, in_flight = time.monotonic(), fleet.unfinished()
        fleet.say(f"kill -9 broker with {in_flight} nominations in flight")
        plans = [Plan(STATE_AWARD)] * 3 + [Plan(PROVINCE_AWARD)] * 3
        late = asyncio.create_task(fleet.fly(await fleet.submit(plans, "12/TTr-THSS", "Lê Thị Giữa")))
        await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - killed_at)))  # the drive goes on meanwhile
        fleet.say(f"{fleet.unfinished()} unfinished when the broker comes back")
        system.broker.start()  # same port, empty log: memory-only
        wait_for_port(int(system.bootstrap.rsplit(":", 1)[1]), system.broker.proc, "restarted broker")
        await waiting
        await asyncio.gather(during, late, fleet.fly(after))
    finally:
        await fleet.stop()
    assert in_flight >= 12, in_flight
    await verify_fleet(fleet, within=120)  # every outbox row delivered, no decision twice, chains valid
    fleet.say(f"verified; calls tried again: {dict(fleet.errors)}")
    admin = AIOKafkaAdminClient(bootstrap_servers=system.bootstrap)
    await admin.start()
    try:
        partitions = await topic_partitions(admin)
    finally:
        await admin.close()
    assert {t: partitions.get(t) for t in ALL_TOPICS} == dict.fromkeys(ALL_TOPICS, 12)
    assert {tier: child.proc.pid for tier, child in system.stack.services.items() if child.proc} == services
    assert all(child.proc and child.proc.poll() is None for child in system.stack.services.values())
