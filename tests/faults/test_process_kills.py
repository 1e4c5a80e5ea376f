"""kill -9 of each tier service and of the workflow worker, each while a nomination waits at a level,
then a restart: nothing is lost and nothing applied twice (every level decided once, every event
delivered, every audit chain valid)."""

import pytest

from deploy.demo_data import CENTRAL_BOARD, ORDER_ROUTE, PRESIDENT, PRIME_MINISTER
from deploy.invariants import wait_settled
from shared.contracts.tiers import Tier
from tests.e2e.conftest import run_system
from tests.helpers import auth, decide, draft_and_submit, each_level_decided_once, eventually, wait_pending

SCHOOL, HON_DAT, KIEN_GIANG = "U91-0001", "D903", "P91"


@pytest.fixture(scope="module")
async def crashable(tmp_path_factory, temporal_address, seeded_databases):  # type: ignore[no-untyped-def]
    async for running in run_system(
        tmp_path_factory.mktemp("crash"), temporal_address, "tdkt-test-12", "sqlite", seeded_databases
    ):
        yield running


async def settled(system, tier: Tier, agency: str, nomination_id: str) -> None:  # type: ignore[no-untyped-def]
    """Until the workflow itself says the item is pending at `agency`. The inbox row exists a moment
    before the workflow learns that its `open_review` activity finished; a service killed in that
    moment loses the activity's completion, retried only after its 30 s timeout, and a decision
    then waits longer than its bounded 8 s. The kill is meant for an item that waits there."""

    async def pending() -> bool:
        r = await system[tier].get(f"/nominations/{nomination_id}/status", headers=auth(agency, "chair"))
        assert r.status_code == 200, r.text
        body = r.json()
        return body["state"] == "pending" and body["pending_agency"] == agency

    await eventually(pending, what=f"the workflow pending at {agency}")


async def test_killed_services_resume_without_loss_or_duplicates(crashable):
    system = crashable
    nomination_id = (await draft_and_submit(system[Tier.UNIT], SCHOOL, "HCLD_HANG_BA", "Phạm Thị Dung"))[
        "nomination_id"
    ]
    await wait_pending(system[Tier.UNIT], SCHOOL, nomination_id)
    assert (await decide(system[Tier.UNIT], SCHOOL, nomination_id, "forward")).status_code == 200

    # The unit dies abruptly right after its decision; the district dies while the item waits there.
    system.stack.services[Tier.UNIT].kill()
    await wait_pending(system[Tier.DISTRICT], HON_DAT, nomination_id)
    await settled(system, Tier.DISTRICT, HON_DAT, nomination_id)
    system.stack.services[Tier.DISTRICT].kill()
    system.stack.restart(Tier.DISTRICT)
    system.stack.restart(Tier.UNIT)

    assert (await decide(system[Tier.DISTRICT], HON_DAT, nomination_id, "forward")).status_code == 200
    await wait_pending(system[Tier.PROVINCE], KIEN_GIANG, nomination_id)
    await settled(system, Tier.PROVINCE, KIEN_GIANG, nomination_id)
    system.stack.services[Tier.PROVINCE].kill()  # the province dies while the item waits there
    system.stack.restart(Tier.PROVINCE)
    assert (await decide(system[Tier.PROVINCE], KIEN_GIANG, nomination_id, "forward")).status_code == 200
    for central in (CENTRAL_BOARD, PRIME_MINISTER):
        await wait_pending(system[Tier.CENTRAL], central, nomination_id)
        if central == PRIME_MINISTER:  # the worker dies while the item waits at the Prime Minister's
            await settled(system, Tier.CENTRAL, central, nomination_id)
            system.stack.worker.kill()
            system.stack.worker.start()

            async def answers(central: str = central) -> bool:  # the workflow's query needs the worker back
                r = await system[Tier.CENTRAL].get(
                    f"/nominations/{nomination_id}/status", headers=auth(central, "chair")
                )
                return r.status_code == 200

            await eventually(answers, within=60, what="the restarted worker answering")
        assert (await decide(system[Tier.CENTRAL], central, nomination_id, "forward")).status_code == 200
    await wait_pending(system[Tier.CENTRAL], PRESIDENT, nomination_id)
    await settled(system, Tier.CENTRAL, PRESIDENT, nomination_id)
    system.stack.services[Tier.CENTRAL].kill()
    system.stack.restart(Tier.CENTRAL)
    confer = await decide(system[Tier.CENTRAL], PRESIDENT, nomination_id, "confer", decision_no="7/QĐ-CTN")
    assert confer.status_code == 200, confer.text

    async def unit_outcome():
        r = await system[Tier.UNIT].get(f"/nominations/{nomination_id}", headers=auth(SCHOOL, "clerk"))
        return r.json() if r.json()["status"] == "conferred" else None

    assert (await eventually(unit_outcome, what="unit outcome"))["decision_no"] == "7/QĐ-CTN"

    async def registry():
        r = await system[Tier.CENTRAL].get("/awards", headers=auth(PRESIDENT, "chair"))
        return [a for a in r.json() if a["nomination_id"] == nomination_id]

    assert len(await eventually(registry, what="central registry")) == 1

    # Every level recorded exactly one decision, and every audit chain still verifies.
    await each_level_decided_once(system, [(Tier(t), a) for t, a in ORDER_ROUTE], nomination_id)
    found = await wait_settled(system.stack.config.database_urls, within=60)
    assert found.ok(), found.summary()
