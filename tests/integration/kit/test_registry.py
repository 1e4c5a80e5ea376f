"""Route resolution over a service's real registry replica (SQLite and PostgreSQL), by the catalog."""

from datetime import date

import pytest

from services.kit.registry.service import plan_route
from shared.routing import RoutingError

BEFORE, AFTER = date(2025, 5, 15), date(2025, 7, 15)
CENTRAL_PM = ["TW-BTDKT", "TW-TTG"]


@pytest.mark.parametrize(
    ("proposer", "award", "on", "regime", "expected"),
    [
        ("U91-0001", "HCLD_HANG_BA", BEFORE, "ND98", ["U91-0001", "D903", "P91", *CENTRAL_PM, "TW-CTN"]),
        ("U91-0001", "CSTD_CO_SO", BEFORE, "ND98", ["U91-0001", "D903"]),
        ("C30823", "CSTD_CO_SO", AFTER, "ND152", ["C30823"]),
        ("C30823", "BANG_KHEN_TTG", AFTER, "ND152", ["C30823", "P91", *CENTRAL_PM]),
        ("U91-0002", "CSTD_TINH", BEFORE, "ND98", ["U91-0002", "P91"]),
    ],
)
async def test_plan_route_reads_the_registry_replica(sessions, proposer, award, on, regime, expected):
    async with sessions() as session:
        plan = await plan_route(session, proposer_agency=proposer, award_code=award, on=on)
    assert [s.agency_code for s in plan.steps] == expected
    assert plan.regime == regime
    assert [s.confers for s in plan.steps] == [False] * (len(expected) - 1) + [True]
    assert len(plan.explanation) == len(expected)


async def test_unknown_agency_and_award_are_refused_with_reasons(sessions):
    async with sessions() as session:
        with pytest.raises(RoutingError, match="unknown award code 'NOPE'"):
            await plan_route(session, proposer_agency="C30823", award_code="NOPE", on=AFTER)
        with pytest.raises(RoutingError, match="does not exist on 2025-05-15"):
            await plan_route(session, proposer_agency="U99-9999", award_code="GIAY_KHEN", on=BEFORE)
