"""Properties of routing over any award, proposer and day (hypothesis), on the real hierarchy:
a route either is refused with a reason or starts at the proposer, climbs the tree parent by
parent without visiting an agency twice or stepping down a tier, and ends at the one agency whose
head may confer the award under the regime of that day."""

from datetime import date
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from deploy.demo_data import DEMO_UNITS, NATIONAL_BODIES
from shared.contracts.tiers import TIER_ORDER, Tier
from shared.hierarchy.reference import load_reference_hierarchy
from shared.routing import AgencyNode, RoutingError, resolve_route
from shared.rules.catalog import default_catalog
from tests.unit.routing.test_routing import lookup_on

CATALOG = default_catalog()
# The demo bodies and a spread of the real tree (every tier, before and after 2025), by code.
PROPOSERS = sorted(
    {a["code"] for a in DEMO_UNITS + NATIONAL_BODIES} | {v.code for v in load_reference_hierarchy().versions[::97]}
)
LOCAL_ROLES = ("proposes", "reviews")
# Days either side of the 2025 reform and of the regimes' changes (a tree is built per day: few days, fast).
DAYS = [date(2024, 3, 1), date(2025, 1, 2), date(2025, 6, 30), date(2025, 7, 1), date(2026, 2, 16), date(2026, 9, 30)]
RANK = {tier.value: index for index, tier in enumerate(TIER_ORDER)}


@cache
def tree_on(on: date):  # type: ignore[no-untyped-def]
    return lookup_on(on)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    st.sampled_from(sorted(CATALOG.awards)),
    st.sampled_from(PROPOSERS),
    st.sampled_from(DAYS),
)
def test_a_route_climbs_from_the_proposer_to_the_one_agency_that_may_confer(award: str, proposer: str, on: date):
    lookup = tree_on(on)
    try:
        plan = resolve_route(CATALOG, lookup, award_code=award, managing_agency=proposer, on=on)
    except RoutingError as refused:
        assert str(refused)  # a reason a clerk can act on, never an empty refusal
        return
    codes = [step.agency_code for step in plan.steps]
    assert codes[0] == proposer and len(set(codes)) == len(codes)
    assert [step.confers for step in plan.steps] == [False] * (len(codes) - 1) + [True]
    assert plan.steps[-1].role == "confers" and all(s.role != "confers" for s in plan.steps[:-1])
    ranks = [RANK[step.tier] for step in plan.steps]
    assert ranks == sorted(ranks)
    local = [s for s in plan.steps if s.role in LOCAL_ROLES or s.tier != Tier.CENTRAL.value]
    for below, above in zip(local, local[1:], strict=False):
        node: AgencyNode | None = lookup(below.agency_code)
        assert node is not None and node.parent_code == above.agency_code
    allowed = CATALOG.awards[award].authorities(plan.regime)
    last = lookup(codes[-1])
    assert last is not None
    holder = CATALOG.authority_of_agency(last.code, last.kind)
    assert holder is not None and holder.code in allowed
