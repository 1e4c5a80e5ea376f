"""The authority matrix as a pure function over the catalog and the real hierarchy (no database)."""

from datetime import date

import pytest

from deploy.demo_data import DEMO_UNITS, NATIONAL_BODIES
from shared.hierarchy.reference import load_reference_hierarchy
from shared.routing import AgencyNode, RoutingError, resolve_route
from shared.rules.catalog import default_catalog

BEFORE, AFTER = date(2025, 5, 15), date(2025, 7, 15)
SCHOOL, DEPARTMENT, ENTERPRISE, MINISTRY_UNIT = "U91-0001", "U91-0002", "U91-0003", "U-BGDDT-0001"
COMMUNE = "C30823"  # Xã Bình Sơn: under Hòn Đất (D903) until 2025-06-30, under An Giang (P91) after
BOARD, PM, PRESIDENT = "TW-BTDKT", "TW-TTG", "TW-CTN"


def lookup_on(on: date):
    nodes: dict[str, AgencyNode] = {}
    for v in load_reference_hierarchy().versions:
        if v.valid_from <= on and (v.valid_to is None or on <= v.valid_to):
            nodes[v.code] = AgencyNode(v.code, v.name, v.tier, v.kind, v.parent_code)
    for a in NATIONAL_BODIES + DEMO_UNITS:
        nodes[a["code"]] = AgencyNode(a["code"], a["name"], a["tier"], a["kind"], a["parent_code"])
    return nodes.get


def route(award: str, agency: str, on: date, **kw):
    return resolve_route(default_catalog(), lookup_on(on), award_code=award, managing_agency=agency, on=on, **kw)


# The same award from four kinds of managing agency, before and after the 2025 reform.
CASES = [
    # CSTĐCS: the district chairman (Law Art. 80(2)) before, the commune chairman (Decree 129 Art. 59) after.
    ("CSTD_CO_SO", SCHOOL, BEFORE, "ND98", [SCHOOL, "D903"], "district_chair"),
    ("CSTD_CO_SO", COMMUNE, BEFORE, "ND98", [COMMUNE, "D903"], "district_chair"),
    ("CSTD_CO_SO", COMMUNE, AFTER, "ND152", [COMMUNE], "commune_chair"),
    ("CSTD_CO_SO", DEPARTMENT, BEFORE, "ND98", [DEPARTMENT], "department_head"),
    ("CSTD_CO_SO", DEPARTMENT, AFTER, "ND152", [DEPARTMENT], "department_head"),
    ("CSTD_CO_SO", MINISTRY_UNIT, AFTER, "ND152", [MINISTRY_UNIT], "ministry_unit_head"),
    ("CSTD_CO_SO", ENTERPRISE, BEFORE, "ND98", [ENTERPRISE], "enterprise_head"),
    # Bằng khen of the province or ministry.
    ("BANG_KHEN_TINH", SCHOOL, BEFORE, "ND98", [SCHOOL, "D903", "P91"], "province_chair"),
    ("BANG_KHEN_TINH", COMMUNE, AFTER, "ND152", [COMMUNE, "P91"], "province_chair"),
    ("BANG_KHEN_TINH", DEPARTMENT, AFTER, "ND152", [DEPARTMENT, "P91"], "province_chair"),
    ("BANG_KHEN_TINH", MINISTRY_UNIT, AFTER, "ND152", [MINISTRY_UNIT, "B-BGDDT"], "minister"),
    # The Prime Minister's Bằng khen: through the Central Board.
    ("BANG_KHEN_TTG", SCHOOL, BEFORE, "ND98", [SCHOOL, "D903", "P91", BOARD, PM], "prime_minister"),
    ("BANG_KHEN_TTG", COMMUNE, AFTER, "ND152", [COMMUNE, "P91", BOARD, PM], "prime_minister"),
    ("BANG_KHEN_TTG", DEPARTMENT, AFTER, "ND152", [DEPARTMENT, "P91", BOARD, PM], "prime_minister"),
    ("BANG_KHEN_TTG", MINISTRY_UNIT, AFTER, "ND152", [MINISTRY_UNIT, "B-BGDDT", BOARD, PM], "prime_minister"),
    # Orders: the Prime Minister proposes, the President confers.
    ("HCLD_HANG_BA", SCHOOL, BEFORE, "ND98", [SCHOOL, "D903", "P91", BOARD, PM, PRESIDENT], "president"),
    ("HCLD_HANG_BA", MINISTRY_UNIT, AFTER, "ND152", [MINISTRY_UNIT, "B-BGDDT", BOARD, PM, PRESIDENT], "president"),
    # Thôn văn hóa moved from the district to the commune chairman.
    ("THON_VAN_HOA", COMMUNE, BEFORE, "ND98", [COMMUNE, "D903"], "district_chair"),
    ("THON_VAN_HOA", COMMUNE, AFTER, "ND152", [COMMUNE], "commune_chair"),
]


@pytest.mark.parametrize(
    ("award", "agency", "on", "regime", "expected", "authority"), CASES, ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in CASES]
)
def test_route_and_conferring_authority(award, agency, on, regime, expected, authority):
    plan = route(award, agency, on)
    assert [s.agency_code for s in plan.steps] == expected
    assert plan.regime == regime
    assert [s.confers for s in plan.steps] == [False] * (len(expected) - 1) + [True]
    catalog = default_catalog()
    last = lookup_on(on)(expected[-1])
    assert catalog.authority_of_agency(last.code, last.kind).code == authority
    assert authority in catalog.award(award).authorities(regime)
    # Every step says why, with a citation.
    assert len(plan.reasons) == len(expected) and all(r.citation for r in plan.reasons)
    assert plan.reasons[-1].role == "confers"


def test_central_roles_are_named():
    plan = route("HCLD_HANG_BA", SCHOOL, BEFORE)
    assert [s.role for s in plan.steps] == [
        "proposes",
        "reviews",
        "reviews",
        "appraises",
        "proposes_to_president",
        "confers",
    ]


def test_authority_follows_the_date_of_routing_not_the_dossier_regime():
    # A dossier judged under Decree 98 but routed after 2025-07-01 (re-routing) goes to the commune
    # chairman, who holds the abolished district's power (Decree 129 Art. 59).
    assert route("CSTD_CO_SO", COMMUNE, AFTER).regime == "ND152"
    assert route("CSTD_CO_SO", COMMUNE, AFTER).conferring_agency == COMMUNE


def test_a_district_cannot_confer_after_the_reform():
    with pytest.raises(RoutingError, match="does not exist on 2025-07-15"):
        route("CSTD_CO_SO", "D903", AFTER)


def test_thematic_awards_go_to_the_launcher():
    plan = route("BANG_KHEN_TINH", SCHOOL, BEFORE, mode="chuyen_de", movement_code="P91-CHUYEN-DOI-SO-2025")
    assert [s.agency_code for s in plan.steps] == [SCHOOL, "D903", "P91"]
    # A Giấy khen cannot stop at the school when the province launched the movement.
    with pytest.raises(RoutingError, match="cannot confer"):
        route("GIAY_KHEN", SCHOOL, BEFORE, mode="chuyen_de", movement_code="P91-CHUYEN-DOI-SO-2025")
    with pytest.raises(RoutingError, match="not above"):
        route("BANG_KHEN_TINH", MINISTRY_UNIT, BEFORE, mode="chuyen_de", movement_code="P91-CHUYEN-DOI-SO-2025")
    with pytest.raises(RoutingError, match="must name its movement"):
        route("BANG_KHEN_TINH", SCHOOL, BEFORE, mode="chuyen_de")
    pm = route("BANG_KHEN_TTG", COMMUNE, date(2025, 11, 1), mode="chuyen_de", movement_code="TTG-DAI-HOI-XIV")
    assert pm.conferring_agency == PM


@pytest.mark.parametrize(
    ("award", "agency", "message"),
    [
        ("NOPE", SCHOOL, "unknown award code 'NOPE'"),
        ("GIAY_KHEN", "U99-9999", "agency U99-9999 does not exist on 2025-05-15"),
        ("CSTD_CO_SO", "B-BNV", "no agency above B-BNV"),
    ],
)
def test_unroutable(award, agency, message):
    with pytest.raises(RoutingError, match=message):
        route(award, agency, BEFORE)


def test_a_ministry_confers_its_own_emulation_fighter_title():
    assert route("CSTD_TINH", "B-BGDDT", BEFORE).conferring_agency == "B-BGDDT"
