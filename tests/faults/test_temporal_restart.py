"""The Temporal server killed with nominations in flight and restarted on its database: a decision
meanwhile answers 503 with a readable sentence within 10 s; afterwards the nominations go on from
where they stood and nothing is lost or done twice. No service and no worker is restarted.

This module starts a Temporal server of its own (the session's is shared by every other test).
"""

import time
from collections.abc import AsyncIterator

import pytest

from deploy.demo_data import ORDER_ROUTE, PRESIDENT
from deploy.embedded import Child, free_port, temporal_dev_server, wait_for_port
from deploy.invariants import wait_settled
from shared.contracts.tiers import Tier
from tests.e2e.conftest import RunningSystem, run_system
from tests.helpers import (
    auth,
    decide,
    draft_and_submit,
    each_level_decided_once,
    eventually,
    ready_to_forward,
    wait_pending,
)

ROUTE = [(Tier(tier), agency) for tier, agency in ORDER_ROUTE]
SCHOOL = ROUTE[0][1]


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


async def forward(system: RunningSystem, nomination_id: str, steps: range) -> None:
    for tier, agency in (ROUTE[i] for i in steps):
        await wait_pending(system[tier], agency, nomination_id)
        r = await decide(system[tier], agency, nomination_id, "forward")
        assert r.status_code == 200, r.text


async def test_temporal_killed_and_restarted_on_its_database_loses_nothing(system, temporal) -> None:
    server, address = temporal
    services = {tier: child.proc.pid for tier, child in system.stack.services.items() if child.proc}
    worker = system.stack.worker.proc.pid if system.stack.worker.proc else None
    ids = [
        (await draft_and_submit(system[Tier.UNIT], SCHOOL, "HCLD_HANG_BA", name))["nomination_id"]
        for name in ("Võ Thị Sáu Trước", "Trần Văn Ơn Giữa")
    ]
    await forward(system, ids[0], range(0, 3))
    await forward(system, ids[1], range(0, 1))
    await wait_pending(system[Tier.DISTRICT], ROUTE[1][1], ids[1])
    await ready_to_forward(system[Tier.DISTRICT], ROUTE[1][1], ids[1])  # its council has met: only Temporal is missing

    server.kill()
    started = time.monotonic()
    away = await decide(system[Tier.DISTRICT], ROUTE[1][1], ids[1], "forward", prepare=False)
    assert away.status_code == 503 and time.monotonic() - started < 10, away.text
    assert "Temporal" in away.json()["detail"] and "trạng thái hồ sơ" in away.json()["detail"]
    server.start()  # the same port, the same database file
    wait_for_port(int(address.rsplit(":", 1)[1]), server.proc, "restarted temporal dev server", timeout=60)

    await forward(system, ids[0], range(3, 5))
    await forward(system, ids[1], range(1, 5))
    for number, nomination_id in enumerate(ids, start=21):
        await wait_pending(system[Tier.CENTRAL], PRESIDENT, nomination_id)
        conferred = await decide(
            system[Tier.CENTRAL], PRESIDENT, nomination_id, "confer", decision_no=f"{number}/QĐ-CTN"
        )
        assert conferred.status_code == 200, conferred.text

    for nomination_id in ids:

        async def seen(nomination_id: str = nomination_id) -> bool:
            r = await system[Tier.UNIT].get(f"/nominations/{nomination_id}", headers=auth(SCHOOL, "clerk"))
            return bool(r.json()["status"] == "conferred")

        await eventually(seen, within=60, what=f"{nomination_id} conferred at the unit")
        await each_level_decided_once(system, ROUTE, nomination_id)
    settled = await wait_settled(system.stack.config.database_urls, within=60)
    assert settled.ok(), settled.summary()
    assert {tier: child.proc.pid for tier, child in system.stack.services.items() if child.proc} == services
    assert system.stack.worker.proc is not None and system.stack.worker.proc.pid == worker
