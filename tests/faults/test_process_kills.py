"""kill -9 of each tier service and of the workflow worker while thirty nominations are driven
along their routes (ballots, forwards, a tờ trình conferred under one decision, refusals and
returns): each victim dies when items wait on it, and starts again while the others go on. Every
nomination ends as planned, nothing is lost and nothing applied twice (every level decided once,
every event delivered, every audit chain valid)."""

import asyncio

import pytest

from shared.contracts.tiers import Tier
from tests.conftest import fresh_namespace
from tests.e2e.conftest import run_system
from tests.faults.fleet import Fleet
from tests.faults.plans import LEVELS, SCHOOL, mix, spread
from tests.faults.verdict import verify_fleet

# Each victim, and the agency whose waiting items it is killed under.
VICTIMS = ((Tier.UNIT, SCHOOL), (Tier.DISTRICT, "D903"), (Tier.PROVINCE, "P91"), ("worker", "TW-BTDKT"),
           (Tier.CENTRAL, "TW-CTN"))  # fmt: skip


@pytest.fixture(scope="module")
async def crashable(tmp_path_factory, temporal_address, seeded_databases):  # type: ignore[no-untyped-def]
    async for running in run_system(
        tmp_path_factory.mktemp("crash"), temporal_address, fresh_namespace(), "sqlite", seeded_databases
    ):
        yield running


async def test_killed_services_resume_without_loss_or_duplicates(crashable):
    system = crashable
    fleet = Fleet(system)
    await fleet.set_up_councils(LEVELS[:3])
    fleet.watch(LEVELS)
    in_flight, restarts = {}, []
    try:
        flights = await fleet.submit(mix("41", many=20), "41/TTr-THSS", "Phạm Thị Dung")
        await fleet.fly(flights, until=spread(flights))  # waiting at every level of the routes
        drive = fleet.start(flights)
        for victim, agency in VICTIMS:
            await fleet.decisions(2)  # work goes on between two kills
            in_flight[str(victim)] = await fleet.busy(agency, at_least=1)
            fleet.say(
                f"kill -9 {victim}: {fleet.pending_at(agency)} waiting at {agency}, {fleet.unfinished()} unfinished"
            )
            if victim == "worker":
                system.stack.worker.kill()
                system.stack.worker.start()
            else:
                assert isinstance(victim, Tier)
                system.stack.services[victim].kill()
                restarts.append(asyncio.create_task(asyncio.to_thread(system.stack.restart, victim)))
        await asyncio.gather(*restarts)
        fleet.say("every victim is back")
        await drive
    finally:
        await asyncio.gather(*restarts, return_exceptions=True)
        await fleet.stop()
    assert min(in_flight.values()) >= 5, in_flight  # each kill landed on work in flight
    await verify_fleet(fleet)
    fleet.say(f"verified; calls tried again: {dict(fleet.errors)}")
