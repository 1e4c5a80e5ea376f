"""The real 2025 reorganization as a plan, generated from the reference data (vietnamadminunits).

Operations, in order: one merge per 2025 province (NQ 202/2025/QH15; the 11 provinces it left
as they were are single-source merges, so that every 2025 unit takes a version from
2025-07-01 as in the reference tree), one merge per 2025 commune (NQ 1654–1687/NQ-UBTVQH15; the
per-province resolution number is not in the data), one split per divided legacy commune (the
default successor first), and the abolition of the district tier (NĐ 129/2025/NĐ-CP Điều 59).
The five island districts that had no communes are sources of the đặc khu formed from them.
"""

from collections import defaultdict
from functools import cache

from shared.hierarchy.reference import (
    LEGACY_VALID_TO,
    SWITCH_DATE,
    AgencyVersion,
    load_reference_hierarchy,
)
from shared.reorg.plan import AbolishTier, Merge, Operation, Plan, Split
from shared.reorg.snapshot import Version

QD19 = "QĐ 19/2025/QĐ-TTg"
PROVINCE_BASIS = ["NQ 202/2025/QH15", QD19]
COMMUNE_BASIS = ["NQ 1654–1687/NQ-UBTVQH15", QD19]
DISTRICT_BASIS = ["NĐ 129/2025/NĐ-CP Điều 59", "Luật Tổ chức chính quyền địa phương 72/2025/QH15"]


@cache
def plan_2025() -> Plan:
    """63 -> 34 provinces, 10,035 -> 3,321 communes, no districts; from 2025-07-01. Cached."""
    reference = load_reference_hierarchy()
    legacy = [v for v in reference.versions if v.valid_to == LEGACY_VALID_TO]
    new = {v.code: v for v in reference.versions if v.valid_from == SWITCH_DATE}
    with_communes = {v.parent_code for v in legacy if v.tier == "unit"}

    province_sources: dict[str, list[str]] = defaultdict(list)
    commune_sources: dict[str, list[str]] = defaultdict(list)
    for v in legacy:
        if v.tier == "province":
            sources = province_sources
        elif v.tier == "unit" or v.code not in with_communes:  # commune, or island district
            sources = commune_sources
        else:
            continue
        for successor in v.successors:
            sources[successor].append(v.code)

    operations: list[Operation] = []
    for basis, merges in ((PROVINCE_BASIS, province_sources), (COMMUNE_BASIS, commune_sources)):
        operations += [_merge(new[code], sorted(merges[code]), basis) for code in sorted(merges)]
    operations += [
        Split(source=code, successors=list(successors), legal_basis=COMMUNE_BASIS)
        for code, successors in sorted(reference.divided_communes.items())
    ]
    operations.append(AbolishTier(tier="district", powers_to="commune", legal_basis=DISTRICT_BASIS))
    return Plan(
        code="VN-2025-07-01",
        title=(
            "Sắp xếp đơn vị hành chính 2025: 63 tỉnh thành 34, bỏ cấp huyện, "
            "10.035 xã thành 3.321 (chính quyền địa phương hai cấp)"
        ),
        effective=SWITCH_DATE,
        legal_basis=[*PROVINCE_BASIS[:1], *COMMUNE_BASIS[:1], *DISTRICT_BASIS, QD19],
        operations=operations,
    )


def _merge(unit: AgencyVersion, sources: list[str], basis: list[str]) -> Merge:
    return Merge(
        into=unit.code,
        name=unit.name,
        kind=unit.kind,
        tier=unit.tier,
        parent=unit.parent_code,
        sources=sources,
        legal_basis=basis,
    )


def legacy_snapshot() -> list[Version]:
    """The legacy tree as it stood on 2025-06-30, before any plan: open versions, no successors."""
    return [
        {
            "code": v.code,
            "name": v.name,
            "tier": v.tier,
            "kind": v.kind,
            "parent_code": v.parent_code,
            "valid_from": v.valid_from,
            "valid_to": None,
            "successors": [],
            "legal_basis": None,
        }
        for v in load_reference_hierarchy().versions
        if v.valid_to == LEGACY_VALID_TO
    ]
