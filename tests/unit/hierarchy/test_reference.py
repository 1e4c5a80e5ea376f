"""The reference hierarchy loaded from vietnamadminunits: counts, codes, dates and successors."""

from collections import Counter
from datetime import date

import pytest

from shared.hierarchy import package_data
from shared.hierarchy.reference import (
    LEGACY_VALID_TO,
    REGISTRY_EPOCH,
    SWITCH_DATE,
    AgencyVersion,
    ReferenceHierarchy,
    commune_code,
    load_reference_hierarchy,
)

# Counts as the data of vietnamadminunits 1.0.4 holds them.
LEGACY_PROVINCES = 63
LEGACY_DISTRICTS = 696
# admin_units_legacy has 10,040 rows, but 5 of them are island districts without any commune
# (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo): 10,035 legacy communes.
LEGACY_COMMUNES = 10_035
NEW_PROVINCES = 34
NEW_COMMUNES = 3_321  # including 13 đặc khu
NEW_SPECIAL_ZONES = 13
DIVIDED_COMMUNES = 471  # legacy communes split between 2 to 5 new communes
# Legacy communes the official mapping does not cover. Empty: every one of them is mapped.
UNMAPPED_LEGACY_COMMUNES: frozenset[str] = frozenset()

HON_DAT = "D903"  # Huyện Hòn Đất, Tỉnh Kiên Giang


@pytest.fixture(scope="module")
def hierarchy() -> ReferenceHierarchy:
    return load_reference_hierarchy()


def _select(h: ReferenceHierarchy, *, legacy: bool, tier: str) -> list[AgencyVersion]:
    return [v for v in h.versions if (v.valid_to is not None) == legacy and v.tier == tier]


def _version(h: ReferenceHierarchy, code: str, on: date) -> AgencyVersion:
    (found,) = [
        v for v in h.versions if v.code == code and v.valid_from <= on and (v.valid_to is None or on <= v.valid_to)
    ]
    return found


def test_counts(hierarchy: ReferenceHierarchy) -> None:
    assert len(_select(hierarchy, legacy=True, tier="province")) == LEGACY_PROVINCES
    assert len(_select(hierarchy, legacy=True, tier="district")) == LEGACY_DISTRICTS
    assert len(_select(hierarchy, legacy=True, tier="unit")) == LEGACY_COMMUNES
    assert len(_select(hierarchy, legacy=False, tier="province")) == NEW_PROVINCES
    assert len(_select(hierarchy, legacy=False, tier="district")) == 0
    assert len(_select(hierarchy, legacy=False, tier="unit")) == NEW_COMMUNES
    kinds = Counter(v.kind for v in _select(hierarchy, legacy=False, tier="unit"))
    assert kinds["special_zone"] == NEW_SPECIAL_ZONES
    assert len(hierarchy.divided_communes) == DIVIDED_COMMUNES
    assert hierarchy.source == f"vietnamadminunits {package_data.package_version()}"


def test_codes_dates_and_kinds(hierarchy: ReferenceHierarchy) -> None:
    keys = Counter((v.code, v.valid_from) for v in hierarchy.versions)
    assert [k for k, n in keys.items() if n > 1] == []
    prefix = {"province": ("P", 2), "district": ("D", 3), "unit": ("C", 5)}
    for v in hierarchy.versions:
        letter, digits = prefix[v.tier]
        assert v.code[0] == letter and v.code[1:].isdigit() and len(v.code) == digits + 1
        if v.valid_to is None:
            assert (v.valid_from, v.successors) == (SWITCH_DATE, ())
        else:
            assert (v.valid_from, v.valid_to) == (REGISTRY_EPOCH, LEGACY_VALID_TO)
        if v.tier == "province":
            assert v.kind in {"province", "city"}
        assert v.legal_basis
    assert {v.kind for v in hierarchy.versions if v.tier == "unit"} == {
        "commune",
        "ward",
        "town",
        "special_zone",
    }


def test_every_parent_resolves_on_the_same_dates(hierarchy: ReferenceHierarchy) -> None:
    by_key = {(v.code, v.valid_from): v for v in hierarchy.versions}
    parent_tier = {"province": None, "district": "province", "unit": "district"}
    for v in hierarchy.versions:
        if v.tier == "province":
            assert v.parent_code is None
            continue
        assert v.parent_code is not None
        parent = by_key[(v.parent_code, v.valid_from)]
        assert parent.valid_to == v.valid_to
        # 2025 communes hang directly under their province: there is no district any more.
        assert parent.tier == (parent_tier[v.tier] if v.valid_to else "province")


def test_successors_point_at_2025_versions(hierarchy: ReferenceHierarchy) -> None:
    current = {v.code: v for v in hierarchy.versions if v.valid_to is None}
    for v in hierarchy.versions:
        if v.valid_to is None:
            continue
        assert len(set(v.successors)) == len(v.successors)
        wanted = "province" if v.tier == "province" else "unit"
        assert all(current[s].tier == wanted for s in v.successors), v


def test_kien_giang_and_an_giang_merge_into_p91(hierarchy: ReferenceHierarchy) -> None:
    kien_giang = _version(hierarchy, "P91", LEGACY_VALID_TO)
    assert (kien_giang.name, kien_giang.kind) == ("Tỉnh Kiên Giang", "province")
    assert kien_giang.successors == ("P91",)
    assert _version(hierarchy, "P91", SWITCH_DATE).name == "Tỉnh An Giang"
    an_giang = _version(hierarchy, "P89", LEGACY_VALID_TO)
    assert (an_giang.name, an_giang.successors) == ("Tỉnh An Giang", ("P91",))
    with pytest.raises(ValueError):
        _version(hierarchy, "P89", SWITCH_DATE)  # the code of An Giang was not kept
    assert _version(hierarchy, "P79", SWITCH_DATE).kind == "city"


def test_hon_dat_district_goes_to_communes_of_p91(hierarchy: ReferenceHierarchy) -> None:
    hon_dat = _version(hierarchy, HON_DAT, LEGACY_VALID_TO)
    assert (hon_dat.name, hon_dat.parent_code, hon_dat.tier) == ("Huyện Hòn Đất", "P91", "district")
    assert "129/2025" in str(hon_dat.legal_basis)
    assert hon_dat.successors == tuple(sorted(hon_dat.successors))
    assert {"C30817", "C30838"} <= set(hon_dat.successors)  # Xã Hòn Đất, Xã Mỹ Thuận
    for code in hon_dat.successors:
        successor = _version(hierarchy, code, SWITCH_DATE)
        assert (successor.tier, successor.parent_code) == ("unit", "P91")
    communes = [v for v in hierarchy.versions if v.parent_code == HON_DAT]
    assert len(communes) == 14
    assert set(hon_dat.successors) == {s for c in communes for s in c.successors}


def test_island_district_without_communes_goes_to_its_special_zone(
    hierarchy: ReferenceHierarchy,
) -> None:
    con_dao = _version(hierarchy, "D755", LEGACY_VALID_TO)
    assert (con_dao.name, con_dao.parent_code) == ("Huyện Côn Đảo", "P77")
    assert con_dao.successors == ("C26732",)
    special_zone = _version(hierarchy, "C26732", SWITCH_DATE)
    assert (special_zone.name, special_zone.kind) == ("Đặc khu Côn Đảo", "special_zone")
    assert special_zone.parent_code == "P79"


def test_divided_commune_lists_the_default_successor_first(hierarchy: ReferenceHierarchy) -> None:
    # Xã Tân Thạnh (Huyện Thới Lai, Cần Thơ): default Xã Trường Thành, other candidate Xã Tân Thạnh.
    assert hierarchy.divided_communes["C31268"] == ("C31288", "C31666")
    assert _version(hierarchy, "C31268", LEGACY_VALID_TO).successors == ("C31288", "C31666")
    assert max(len(s) for s in hierarchy.divided_communes.values()) == 5
    assert all(len(s) >= 2 for s in hierarchy.divided_communes.values())

    # Cross-check every divided commune against isDefaultNewWard in the raw converter data.
    legacy = {r.converter_key: r.ward_code for r in package_data.legacy_rows()}
    new = {(r.province_key, r.ward_key): r.ward_code for r in package_data.new_rows()}
    raw = package_data.converter_2025()["DICT_PROVINCE_WARD_DIVIDED"]
    checked = 0
    for new_province, entries in raw.items():
        for old_key, candidates in entries.items():
            code = commune_code(str(legacy[old_key]))
            (default,) = [c["newWardKey"] for c in candidates if c["isDefaultNewWard"]]
            successors = hierarchy.divided_communes[code]
            assert successors[0] == commune_code(new[(new_province, default)])
            expected = {commune_code(new[(new_province, c["newWardKey"])]) for c in candidates}
            assert set(successors) == expected
            checked += 1
    assert checked == DIVIDED_COMMUNES


def test_every_legacy_commune_has_a_successor(hierarchy: ReferenceHierarchy) -> None:
    communes = _select(hierarchy, legacy=True, tier="unit")
    unmapped = {v.code for v in communes if not v.successors}
    assert unmapped == UNMAPPED_LEGACY_COMMUNES
    assert all(v.successors for v in _select(hierarchy, legacy=True, tier="district"))
    # Every 2025 commune was formed from at least one legacy unit.
    formed = {s for v in hierarchy.versions if v.valid_to for s in v.successors}
    assert {v.code for v in _select(hierarchy, legacy=False, tier="unit")} <= formed


def test_names_are_official_and_not_keys(hierarchy: ReferenceHierarchy) -> None:
    for v in hierarchy.versions:
        assert v.name[0].isupper() and " " in v.name, v


def test_is_loaded_once_and_cached() -> None:
    """Loaded once per process (speed belongs to the benchmarks, not to a timed test: a busy machine
    made this one fail)."""
    load_reference_hierarchy.cache_clear()
    for loader in (package_data.legacy_rows, package_data.new_rows, package_data.converter_2025):
        loader.cache_clear()
    first = load_reference_hierarchy()
    assert load_reference_hierarchy() is first
