"""What must hold once a fault test's fleet has been driven and the system has settled: every
nomination where its plan took it, exactly once, and `deploy/invariants.py`'s settled system."""

import asyncio
from collections import Counter
from typing import Any

from deploy.invariants import wait_settled
from shared.contracts.tiers import Tier
from tests.faults.fleet import Fleet
from tests.faults.plans import SCHOOL, Flight
from tests.helpers import auth, eventually, levels_decided

PRESIDENT = "TW-CTN"


async def verify_fleet(fleet: Fleet, within: float = 90) -> None:
    """Each nomination: the workflow ended as planned, at the planned level; the proposer's record
    (which follows events) says the same; every level on its way recorded one receipt and one
    decision, the planned one, and no level after it ever received it; central's registry holds
    one award per conferred nomination and none for the others; a decision on many lists each
    awardee of its group once. Then the settled-system check: every event published and applied
    by each service that handles it, no decision twice, every audit chain valid."""
    system, gate = fleet.system, asyncio.Semaphore(8)

    async def one(flight: Flight) -> None:
        ends = (flight.plan.ends, flight.deciding_step())
        seen: dict[str, Any] = {}

        async def ended() -> bool:
            # The last decision is recorded before its workflow ends: the run may still be finishing
            # a step's earlier activity (one whose answer Temporal lost waits out its 30 s timeout).
            # A 503 (busy, or Temporal slow to answer while the system settles) is asked again, as any
            # client would; any other answer fails at once, and says what it was.
            async with gate:
                r = await system[Tier.UNIT].get(
                    f"/nominations/{flight.nomination_id}/status", headers=auth(SCHOOL, "clerk")
                )
            if r.status_code == 503:
                seen["last_503"] = r.text[:300]
                return False
            assert r.status_code == 200, f"status of {flight.nominee}: {r.status_code} {r.text[:500]}"
            seen.update(r.json())
            return (seen["state"], seen["step"]) == ends

        try:
            await eventually(ended, within=within, what=f"{flight.nominee}'s workflow to end {ends}")
        except AssertionError as err:
            raise AssertionError((flight, seen, str(err))) from None
        status = seen
        route = [(Tier(s["tier"]), s["agency_code"]) for s in status["route"]]
        decided = flight.deciding_step()

        async def recorded() -> bool:
            async with gate:
                record = await _json(system[Tier.UNIT], f"/nominations/{flight.nomination_id}", SCHOOL, "clerk")
            return bool(record["status"] == flight.plan.ends)

        await eventually(recorded, within=within, what=f"{flight.nominee} {flight.plan.ends} at the proposer")
        actions = ["forward"] * decided + [flight.plan.action]
        async with gate:
            await levels_decided(
                system, route[: decided + 1], flight.nomination_id, actions, unreached=route[decided + 1 :]
            )

    await asyncio.gather(*(one(f) for f in fleet.flights))
    await _registry(fleet, within)
    await _groups(fleet)
    settled = await wait_settled(system.stack.config.database_urls, within=within)
    assert settled.ok(), settled.summary()
    assert settled.events > 0


async def _registry(fleet: Fleet, within: float) -> None:
    conferred = {f.nomination_id for f in fleet.flights if f.plan.action == "confer"}
    ids = {f.nomination_id for f in fleet.flights}

    async def registered() -> Counter[str] | None:
        awards = await _json(fleet.system[Tier.CENTRAL], "/awards", PRESIDENT, "chair")
        mine = Counter(a["nomination_id"] for a in awards if a["nomination_id"] in ids)
        return mine if set(mine) >= conferred else None

    mine = await eventually(registered, within=within, what=f"the {len(conferred)} conferrals in central's registry")
    assert set(mine) == conferred and set(mine.values()) == {1}, mine


async def _groups(fleet: Fleet) -> None:
    numbers = {f.plan.together for f in fleet.flights if f.plan.together}
    for number in sorted(n for n in numbers if n):
        group = [f for f in fleet.flights if f.plan.together == number]
        route = group[0].route[group[0].deciding_step()]
        decision = await _json(fleet.system[Tier(route["tier"])], f"/decisions/{number}", route["agency_code"], "chair")
        assert sorted(a["nominee_name"] for a in decision["awardees"]) == sorted(f.nominee for f in group), decision


async def _json(client: Any, path: str, agency: str, role: str) -> Any:
    r = await client.get(path, headers=auth(agency, role))
    assert r.status_code == 200, f"GET {path} as {agency}: {r.status_code} {r.text[:500]}"
    return r.json()
