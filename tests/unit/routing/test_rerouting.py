"""Where a nomination in flight goes after the 2025 reorganization (pure rules, real hierarchy)."""

from datetime import date

import pytest

from shared.rerouting import NeedsChoice, Successors, managing_agency, reroute, touched
from shared.routing import resolve_route
from shared.rules.catalog import default_catalog
from tests.unit.routing.test_routing import lookup_on

BEFORE, EFFECTIVE = date(2025, 5, 15), date(2025, 7, 1)
SCHOOL, HON_DAT, KIEN_GIANG, BINH_SON = "U91-0001", "D903", "P91", "C30823"
HON_DAT_SUCCESSORS = ["C30760", "C30817", "C30823", "C30826", "C30835", "C30838"]


def after_reform(code: str):
    """The hierarchy on the effective date, with the demo school moved under Xã Bình Sơn."""
    node = lookup_on(EFFECTIVE)(code)
    if code == SCHOOL and node is not None:
        return type(node)(node.code, node.name, node.tier, node.kind, BINH_SON)
    return node


def moved(award: str, step: int, proposer: str = SCHOOL, successors: dict | None = None, choices: dict | None = None):
    catalog = default_catalog()
    route = resolve_route(catalog, lookup_on(BEFORE), award_code=award, managing_agency=proposer, on=BEFORE).steps
    retired = {HON_DAT}
    plan = Successors(of=successors or {HON_DAT: HON_DAT_SUCCESSORS}, ambiguous={}, choices=choices or {})
    managing = managing_agency(route, plan, retired)
    fresh = resolve_route(catalog, after_reform, award_code=award, managing_agency=managing, on=EFFECTIVE)
    kinds = {s.agency_code: after_reform(s.agency_code).kind for s in fresh.steps}
    return reroute(route, step, fresh=fresh, successors=plan, retired=retired, kinds=kinds)


def test_pending_at_an_abolished_district_goes_to_the_commune_for_its_powers():
    result = moved("CSTD_CO_SO", step=1)
    assert [s.agency_code for s in result.route] == [SCHOOL, BINH_SON]
    assert result.to_agency == BINH_SON and result.rule == "district_abolished_to_commune"
    assert result.route[-1].confers


def test_pending_at_an_abolished_district_goes_to_the_province_for_a_provincial_award():
    result = moved("BANG_KHEN_TINH", step=1)
    assert [s.agency_code for s in result.route] == [SCHOOL, KIEN_GIANG]
    assert result.rule == "district_abolished_to_province"


def test_queued_steps_are_recomputed_and_decided_steps_kept():
    at_unit = moved("HCLD_HANG_BA", step=0)
    assert at_unit.to_agency == SCHOOL and at_unit.changed
    assert [s.agency_code for s in at_unit.route][:3] == [SCHOOL, BINH_SON, KIEN_GIANG]
    at_province = moved("HCLD_HANG_BA", step=2)
    # The district already forwarded it: that step stays in the route as history.
    assert [s.agency_code for s in at_province.route][:3] == [SCHOOL, HON_DAT, KIEN_GIANG]
    assert at_province.to_agency == KIEN_GIANG


def test_untouched_routes_do_not_change():
    route = resolve_route(
        default_catalog(), lookup_on(BEFORE), award_code="CSTD_TINH", managing_agency="U91-0002", on=BEFORE
    ).steps
    assert not touched(route, 0, {HON_DAT})


def test_a_retired_proposer_without_a_clear_successor_needs_a_person():
    plan = Successors(of={BINH_SON: ["C30823", "C30817"]}, ambiguous={BINH_SON: "divided, no geographic hint"})
    route = resolve_route(
        default_catalog(), lookup_on(BEFORE), award_code="CSTD_CO_SO", managing_agency=BINH_SON, on=BEFORE
    ).steps
    with pytest.raises(NeedsChoice) as err:
        managing_agency(route, plan, {BINH_SON})
    assert err.value.candidates == ["C30823", "C30817"]
    chosen = Successors(of=plan.of, ambiguous=plan.ambiguous, choices={BINH_SON: "C30817"})
    assert managing_agency(route, chosen, {BINH_SON}) == "C30817"
    wrong = Successors(of=plan.of, ambiguous=plan.ambiguous, choices={BINH_SON: "C99999"})
    with pytest.raises(NeedsChoice, match="not a successor"):
        managing_agency(route, wrong, {BINH_SON})
