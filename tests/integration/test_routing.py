"""Route resolution over the real registry (the skeleton's small authority table)."""

from datetime import date

import pytest

from shared.routing import RoutingError, plan_route

BEFORE, AFTER = date(2025, 5, 15), date(2025, 7, 15)


@pytest.mark.parametrize(
    ("proposer", "award", "expected"),
    [
        ("U91-0001", "HCLD_HANG_BA", ["U91-0001", "D903", "P91", "TW-CTN"]),
        ("U91-0001", "BANG_KHEN_TTG", ["U91-0001", "D903", "P91", "TW-TTG"]),
        ("U91-0001", "BANG_KHEN_TINH", ["U91-0001", "D903", "P91"]),
        ("C30823", "CSTD_CO_SO", ["C30823", "D903"]),
        ("U91-0002", "CSTD_TINH", ["U91-0002", "P91"]),
        ("U91-0001", "GIAY_KHEN", ["U91-0001"]),
    ],
)
async def test_route_climbs_to_the_conferring_tier(sessions, proposer, award, expected):
    async with sessions() as session:
        plan = await plan_route(session, proposer_agency=proposer, award_code=award, on=BEFORE)
    assert [s.agency_code for s in plan.steps] == expected
    assert [s.confers for s in plan.steps] == [False] * (len(expected) - 1) + [True]
    assert len(plan.explanation) == len(expected)


async def test_route_uses_the_hierarchy_in_force_on_the_date(sessions):
    async with sessions() as session:
        # Xã Bình Sơn (C30823) kept its code in 2025 and now sits directly under An Giang (P91).
        after = await plan_route(session, proposer_agency="C30823", award_code="BANG_KHEN_TINH", on=AFTER)
        assert [s.agency_code for s in after.steps] == ["C30823", "P91"]
        with pytest.raises(RoutingError, match="no district-tier authority"):
            await plan_route(session, proposer_agency="C30823", award_code="CSTD_CO_SO", on=AFTER)
        with pytest.raises(RoutingError, match="unknown award code 'NOPE'"):
            await plan_route(session, proposer_agency="C30823", award_code="NOPE", on=AFTER)
        with pytest.raises(RoutingError, match="does not exist on 2025-05-15"):
            await plan_route(session, proposer_agency="U99-9999", award_code="GIAY_KHEN", on=BEFORE)
