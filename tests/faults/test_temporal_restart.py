"""The Temporal server killed while twenty nominations are driven along their routes, and restarted
on its database: a decision meanwhile answers 503 with a readable sentence within 10 s; afterwards
the nominations go on from where they stood, each ends as planned, and nothing is lost or done
twice. No service and no worker is restarted.

This module starts a Temporal server of its own (the session's is shared by every other test).
"""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from deploy.embedded import Child, free_port, temporal_dev_server, wait_for_port
from shared.contracts.tiers import Tier
from tests.e2e.conftest import RunningSystem, run_system
from tests.faults.fleet import Fleet
from tests.faults.plans import LEVELS, mix
from tests.faults.verdict import verify_fleet
from tests.helpers import decide, ready_to_forward


@pytest.fixture(scope="module")
async def temporal(tmp_path_factory) -> AsyncIterator[tuple[Child, str]]:  # type: ignore[no-untyped-def]
    port = free_port()
    child = temporal_dev_server(port, free_port(), tmp_path_factory.mktemp("own-temporal"))
    child.start()
    try:
        wait_for_port(port, child.proc, "temporal dev server", timeout=60)
        yield child, f"127.0.0.1:{port}"
    finally:
        child.stop()


@pytest.fixture(scope="module")
async def system(tmp_path_factory, temporal, seeded_databases) -> AsyncIterator[RunningSystem]:  # type: ignore[no-untyped-def]
    async for running in run_system(
        tmp_path_factory.mktemp("temporal-restart"), temporal[1], "default", "sqlite", seeded_databases
    ):
        yield running


async def test_temporal_killed_and_restarted_on_its_database_loses_nothing(system, temporal) -> None:
    server, address = temporal
    services = {tier: child.proc.pid for tier, child in system.stack.services.items() if child.proc}
    worker = system.stack.worker.proc.pid if system.stack.worker.proc else None
    fleet = Fleet(system)
    await fleet.set_up_councils(LEVELS[:3])
    fleet.watch(LEVELS)
    try:
        flights = await fleet.submit(mix("21", many=20), "21/TTr-THSS", "Võ Thị Sáu")
        probe = flights[0]  # waits at the district, its council held: only Temporal will be missing there
        drive = fleet.start(flights[1:])
        await fleet.fly([probe], until={probe.nomination_id: 1})
        district = LEVELS[1][1]
        await ready_to_forward(system[Tier.DISTRICT], district, probe.nomination_id)
        fleet.prepared.add((probe.nomination_id, 1))
        await fleet.busy(LEVELS[3][1], at_least=1)  # the first have reached central, the rest are on the way
        in_flight = fleet.unfinished()
        server.kill()
        fleet.say(f"kill -9 temporal with {in_flight} nominations in flight")
        started = time.monotonic()
        away = await decide(system[Tier.DISTRICT], district, probe.nomination_id, "forward", prepare=False)
        assert away.status_code == 503 and time.monotonic() - started < 10, away.text
        assert "Temporal" in away.json()["detail"] and "trạng thái hồ sơ" in away.json()["detail"]
        server.start()  # the same port, the same database file
        wait_for_port(int(address.rsplit(":", 1)[1]), server.proc, "restarted temporal dev server", timeout=60)
        fleet.say("temporal restarted on its database")
        await asyncio.gather(drive, fleet.fly([probe]))
    finally:
        await fleet.stop()
    assert in_flight >= 12, in_flight
    await verify_fleet(fleet)
    fleet.say(f"verified; calls tried again: {dict(fleet.errors)}")
    assert {tier: child.proc.pid for tier, child in system.stack.services.items() if child.proc} == services
    assert system.stack.worker.proc is not None and system.stack.worker.proc.pid == worker
