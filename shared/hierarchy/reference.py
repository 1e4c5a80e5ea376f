"""The real administrative hierarchy before and after 2025-07-01, as code-addressed versions.

Built from the package data of ``vietnamadminunits`` (see ``package_data.py``): the
63-province / district / commune tree in force until 2025-06-30, the 34-province / commune
tree in force from 2025-07-01, and the official old-to-new mapping. The package addresses
units by name-derived keys; every key is translated to an official code here and keys never
leave this module. See docs/hierarchy.md.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from shared.hierarchy import package_data

SWITCH_DATE = date(2025, 7, 1)  # new provinces and communes operate from this day
LEGACY_VALID_TO = SWITCH_DATE - timedelta(days=1)  # 2025-06-30
# valid_from of legacy units: "since before this registry's horizon"
REGISTRY_EPOCH = date(2000, 1, 1)
LEGAL_BASIS_2025 = "NQ 202/2025/QH15; NQ 1654–1687/NQ-UBTVQH15; QĐ 19/2025/QĐ-TTg"
LEGAL_BASIS_DISTRICT_ABOLITION = (
    f"{LEGAL_BASIS_2025}; NĐ 129/2025/NĐ-CP Điều 59 "
    "(cấp huyện chấm dứt hoạt động từ 01/7/2025, thẩm quyền TĐKT chuyển về cấp xã)"
)

_PROVINCE_KINDS = {"Tỉnh": "province", "Thành phố": "city"}
_COMMUNE_KINDS = {"Xã": "commune", "Phường": "ward", "Thị trấn": "town", "Đặc khu": "special_zone"}


@dataclass(frozen=True)
class AgencyVersion:
    code: str  # "P91" province, "D899" district, "C30280" commune
    name: str  # official Vietnamese name, e.g. "Tỉnh Kiên Giang", "Huyện Hòn Đất", "Xã Sóc Sơn"
    tier: str  # "province" | "district" | "unit" (communes are hosted by the "unit" tier service)
    # "province" | "city" | "district" | "commune" | "ward" | "town" | "special_zone"
    kind: str
    parent_code: str | None  # commune -> district (legacy) / province (2025); district -> province
    valid_from: date
    valid_to: date | None  # legacy versions: 2025-06-30; 2025 versions: None
    successors: tuple[str, ...] = ()  # legacy only: 2025 units that took over; default first
    legal_basis: str | None = None


@dataclass(frozen=True)
class ReferenceHierarchy:
    versions: tuple[AgencyVersion, ...]
    # legacy commune code -> candidate successor codes (default first), only for communes
    # split between several new communes
    divided_communes: dict[str, tuple[str, ...]]
    source: str  # e.g. "vietnamadminunits 1.0.4"


def province_code(raw: str) -> str:
    return "P" + _checked(raw, 2)


def district_code(raw: str) -> str:
    return "D" + _checked(raw, 3)


def commune_code(raw: str) -> str:
    return "C" + _checked(raw, 5)


def _checked(raw: str, digits: int) -> str:
    if not re.fullmatch(rf"\d{{{digits}}}", raw or ""):
        raise ValueError(f"unexpected administrative code {raw!r} (want {digits} digits)")
    return raw


def _kind(name: str, kinds: dict[str, str]) -> str:
    for prefix, kind in kinds.items():
        if name.startswith(prefix + " "):
            return kind
    raise ValueError(f"cannot tell the kind of {name!r}")


def _commune_kind(ward_type: str | None, name: str | None) -> str:
    if ward_type not in _COMMUNE_KINDS or not name:
        raise ValueError(f"unexpected commune {name!r} of type {ward_type!r}")
    return _COMMUNE_KINDS[ward_type]


def _distinct(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def _successor_maps() -> tuple[dict[str, str], dict[str, tuple[str, ...]], set[str]]:
    """Translate the converter's key-based mapping into codes.

    Returns (legacy province code -> 2025 province code, legacy row converter key -> 2025
    commune codes with the default first, converter keys of divided legacy communes).
    """
    conv = package_data.converter_2025()
    old_rows, new_rows = package_data.legacy_rows(), package_data.new_rows()
    old_province = {r.province_key: province_code(r.province_code) for r in old_rows}
    new_province = {r.province_key: province_code(r.province_code) for r in new_rows}
    new_commune = {(r.province_key, r.ward_key): commune_code(r.ward_code) for r in new_rows}

    province_successor: dict[str, str] = {}
    for new_key, old_keys in conv["DICT_PROVINCE"].items():
        for old_key in old_keys:
            old = old_province[old_key]
            if old in province_successor:
                raise ValueError(f"legacy province {old} mapped twice")
            province_successor[old] = new_province[new_key]

    successors: dict[str, list[str]] = defaultdict(list)
    for new_key, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward_key, old_keys in wards.items():
            for old_key in old_keys:
                successors[old_key].append(new_commune[(new_key, new_ward_key)])
    divided: set[str] = set()
    for new_key, entries in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, candidates in entries.items():
            ranked = sorted(candidates, key=lambda c: not c["isDefaultNewWard"])  # stable
            successors[old_key][:0] = [new_commune[(new_key, c["newWardKey"])] for c in ranked]
            divided.add(old_key)
    return province_successor, {k: _distinct(v) for k, v in successors.items()}, divided


def _legacy_versions(
    province_successor: dict[str, str],
    successors: dict[str, tuple[str, ...]],
    divided: set[str],
) -> tuple[list[AgencyVersion], dict[str, tuple[str, ...]]]:
    provinces: dict[str, AgencyVersion] = {}
    district_rows: dict[str, list[package_data.LegacyRow]] = defaultdict(list)
    communes: list[AgencyVersion] = []
    divided_communes: dict[str, tuple[str, ...]] = {}

    for row in package_data.legacy_rows():
        p_code = province_code(row.province_code)
        provinces.setdefault(
            p_code,
            AgencyVersion(
                code=p_code,
                name=row.province,
                tier="province",
                kind=_kind(row.province, _PROVINCE_KINDS),
                parent_code=None,
                valid_from=REGISTRY_EPOCH,
                valid_to=LEGACY_VALID_TO,
                successors=(province_successor[p_code],) if p_code in province_successor else (),
                legal_basis=LEGAL_BASIS_2025,
            ),
        )
        district_rows[district_code(row.district_code)].append(row)
        if row.ward_code is None:  # island district without communes (huyện không có xã)
            continue
        c_code = commune_code(row.ward_code)
        c_successors = successors.get(row.converter_key, ())
        if row.converter_key in divided and len(c_successors) > 1:
            divided_communes[c_code] = c_successors
        communes.append(
            AgencyVersion(
                code=c_code,
                name=str(row.ward),
                tier="unit",
                kind=_commune_kind(row.ward_type, row.ward),
                parent_code=district_code(row.district_code),
                valid_from=REGISTRY_EPOCH,
                valid_to=LEGACY_VALID_TO,
                successors=c_successors,
                legal_basis=LEGAL_BASIS_2025,
            )
        )

    districts = []
    for d_code, rows in district_rows.items():
        first = rows[0]
        if len({(r.district, r.province_code) for r in rows}) != 1:
            raise ValueError(f"district {d_code} has inconsistent names or provinces")
        merged = sorted({c for r in rows for c in successors.get(r.converter_key, ())})
        districts.append(
            AgencyVersion(
                code=d_code,
                name=first.district,
                tier="district",
                kind="district",
                parent_code=province_code(first.province_code),
                valid_from=REGISTRY_EPOCH,
                valid_to=LEGACY_VALID_TO,
                successors=tuple(merged),
                legal_basis=LEGAL_BASIS_DISTRICT_ABOLITION,
            )
        )
    ordered = sorted(provinces.values(), key=_by_code) + sorted(districts, key=_by_code)
    return ordered + sorted(communes, key=_by_code), divided_communes


def _new_versions() -> list[AgencyVersion]:
    provinces: dict[str, AgencyVersion] = {}
    communes = []
    for row in package_data.new_rows():
        p_code = province_code(row.province_code)
        provinces.setdefault(
            p_code,
            AgencyVersion(
                code=p_code,
                name=row.province,
                tier="province",
                kind=_kind(row.province, _PROVINCE_KINDS),
                parent_code=None,
                valid_from=SWITCH_DATE,
                valid_to=None,
                legal_basis=LEGAL_BASIS_2025,
            ),
        )
        communes.append(
            AgencyVersion(
                code=commune_code(row.ward_code),
                name=row.ward,
                tier="unit",
                kind=_commune_kind(row.ward_type, row.ward),
                parent_code=p_code,
                valid_from=SWITCH_DATE,
                valid_to=None,
                legal_basis=LEGAL_BASIS_2025,
            )
        )
    return sorted(provinces.values(), key=_by_code) + sorted(communes, key=_by_code)


def _by_code(version: AgencyVersion) -> str:
    return version.code


@cache
def load_reference_hierarchy() -> ReferenceHierarchy:
    """Both trees and the mapping between them; a pure read of the package data, cached."""
    province_successor, successors, divided = _successor_maps()
    legacy, divided_communes = _legacy_versions(province_successor, successors, divided)
    versions = tuple(legacy + _new_versions())
    seen: set[tuple[str, date]] = set()
    for v in versions:
        if (v.code, v.valid_from) in seen:
            raise ValueError(f"duplicate version {v.code} from {v.valid_from}")
        seen.add((v.code, v.valid_from))
    return ReferenceHierarchy(
        versions=versions,
        divided_communes=divided_communes,
        source=f"{package_data.PACKAGE} {package_data.package_version()}",
    )
