"""The broker killed with nominations in flight and restarted empty a minute later: nothing is lost.

The embedded broker keeps its log in memory, so the restart loses every record and every committed
offset. The relays notice, create the topics again and republish what they kept (decision 0032);
the consumers rejoin on their own. No service is restarted.
"""

import asyncio
import os
import time
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from deploy.demo_data import ORDER_ROUTE, PRESIDENT
from deploy.embedded import wait_for_port
from deploy.invariants import wait_settled
from shared.contracts.events import ALL_TOPICS
from shared.contracts.tiers import Tier
from shared.platform.topics import topic_partitions
from tests.e2e.conftest import RunningSystem, run_system
from tests.helpers import auth, decide, draft_and_submit, each_level_decided_once, eventually, wait_pending

ROUTE = [(Tier(tier), agency) for tier, agency in ORDER_ROUTE]
SCHOOL = ROUTE[0][1]
OUTAGE_S = 60


@pytest.fixture(scope="module")
async def system(tmp_path_factory, temporal_address, seeded_databases) -> AsyncIterator[RunningSystem]:  # type: ignore[no-untyped-def]
    os.environ["OUTBOX_CHECK_SECONDS"] = "2"  # the services look for a lost log every 2 s, not every 10
    try:
        async for running in run_system(
            tmp_path_factory.mktemp("broker-restart"), temporal_address, "tdkt-test-10", "sqlite", seeded_databases
        ):
            yield running
    finally:
        del os.environ["OUTBOX_CHECK_SECONDS"]


async def forward(system: RunningSystem, nomination_id: str, steps: range) -> None:
    """Each level of `steps` on the route receives the item and forwards it."""
    for tier, agency in (ROUTE[i] for i in steps):
        await wait_pending(system[tier], agency, nomination_id)
        r = await decide(system[tier], agency, nomination_id, "forward")
        assert r.status_code == 200, r.text


async def confer(system: RunningSystem, nomination_id: str, decision_no: str) -> None:
    await wait_pending(system[Tier.CENTRAL], PRESIDENT, nomination_id)
    r = await decide(system[Tier.CENTRAL], PRESIDENT, nomination_id, "confer", decision_no=decision_no)
    assert r.status_code == 200, r.text


async def submit(system: RunningSystem, nominee: str) -> str:
    submitted = await draft_and_submit(system[Tier.UNIT], SCHOOL, "HCLD_HANG_BA", nominee)
    return str(submitted["nomination_id"])


async def test_broker_killed_and_restarted_empty_loses_nothing(system: RunningSystem) -> None:
    assert system.broker is not None and system.broker.proc is not None
    services = {tier: child.proc.pid for tier, child in system.stack.services.items() if child.proc}
    before = await submit(system, "Trần Văn Trước")  # reaches the President before the outage
    across = await submit(system, "Lê Thị Giữa")  # moves during the outage and after it
    await forward(system, before, range(0, 5))
    await forward(system, across, range(0, 1))

    system.broker.kill()  # at once: the forward's events may be published and not yet consumed
    killed_at = time.monotonic()
    await confer(system, before, "11/QĐ-CTN")  # conferred while no broker runs
    await forward(system, across, range(1, 3))
    during = await submit(system, "Phạm Văn Trong")
    await forward(system, during, range(0, 2))
    await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - killed_at)))
    system.broker.start()  # same port, empty log: memory-only
    wait_for_port(int(system.bootstrap.rsplit(":", 1)[1]), system.broker.proc, "restarted broker")

    await forward(system, across, range(3, 5))
    await confer(system, across, "12/QĐ-CTN")
    await forward(system, during, range(2, 5))
    await confer(system, during, "13/QĐ-CTN")

    for nomination_id in (before, across, during):
        await conferred_everywhere(system, nomination_id)
    settled = await wait_settled(system.stack.config.database_urls, within=60)
    assert settled.ok(), settled.summary()  # every outbox row delivered, no decision twice, chains valid
    admin = AIOKafkaAdminClient(bootstrap_servers=system.bootstrap)
    await admin.start()
    try:
        partitions = await topic_partitions(admin)
    finally:
        await admin.close()
    assert {t: partitions.get(t) for t in ALL_TOPICS} == dict.fromkeys(ALL_TOPICS, 12)
    assert {tier: child.proc.pid for tier, child in system.stack.services.items() if child.proc} == services
    assert all(child.proc and child.proc.poll() is None for child in system.stack.services.values())


async def conferred_everywhere(system: RunningSystem, nomination_id: str) -> None:
    """The proposer learned the outcome, central registered the award once, each level decided
    once, and every level's audit chain verifies."""

    async def outcome() -> bool:
        r = await system[Tier.UNIT].get(f"/nominations/{nomination_id}", headers=auth(SCHOOL, "clerk"))
        return bool(r.json()["status"] == "conferred")

    await eventually(outcome, within=60, what=f"{nomination_id} conferred at the unit")

    async def registered() -> list[dict]:
        r = await system[Tier.CENTRAL].get("/awards", headers=auth(PRESIDENT, "chair"))
        return [a for a in r.json() if a["nomination_id"] == nomination_id]

    assert len(await eventually(registered, within=60, what="central registry")) == 1
    await each_level_decided_once(system, ROUTE, nomination_id)
