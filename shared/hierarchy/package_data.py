"""Raw reads of the data shipped in the PyPI package ``vietnamadminunits``.

No interpretation happens here: rows come back as they are stored (keys, codes, names).
``reference.py`` turns them into code-addressed versions. The package is located through
its import spec, so its (slow) ``__init__`` - which parses address dictionaries - never runs.
"""

import importlib.metadata
import importlib.util
import json
import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE = "vietnamadminunits"


@dataclass(frozen=True)
class LegacyRow:
    """One row of ``admin_units_legacy``: a commune, or a district that has no communes."""

    province_code: str
    district_code: str
    ward_code: str | None
    province: str
    district: str
    ward: str | None
    ward_type: str | None
    province_key: str
    district_key: str
    ward_key: str | None

    @property
    def converter_key(self) -> str:
        """The ``province_district_ward`` key used by ``converter_2025.json``."""
        return f"{self.province_key}_{self.district_key}_{self.ward_key or ''}"


@dataclass(frozen=True)
class NewRow:
    """One row of ``admin_units``: a commune-level unit of the 34-province tree."""

    province_code: str
    ward_code: str
    province: str
    ward: str
    ward_type: str
    province_key: str
    ward_key: str


def package_data_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {PACKAGE!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def package_version() -> str:
    return importlib.metadata.version(PACKAGE)


def _query(sql: str) -> list[tuple[Any, ...]]:
    uri = (package_data_dir() / "dataset.db").as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        return conn.execute(sql).fetchall()


@cache
def legacy_rows() -> tuple[LegacyRow, ...]:
    rows = _query(
        "SELECT provinceCode, districtCode, wardCode, province, district, ward, wardType,"
        " provinceKey, districtKey, wardKey FROM admin_units_legacy"
    )
    return tuple(LegacyRow(*row) for row in rows)


@cache
def new_rows() -> tuple[NewRow, ...]:
    rows = _query("SELECT provinceCode, wardCode, province, ward, wardType, provinceKey, wardKey FROM admin_units")
    return tuple(NewRow(*row) for row in rows)


@cache
def converter_2025() -> dict[str, Any]:
    """``DICT_PROVINCE``, ``DICT_PROVINCE_WARD_NO_DIVIDED``, ``DICT_PROVINCE_WARD_DIVIDED``."""
    with open(package_data_dir() / "converter_2025.json", encoding="utf-8") as f:
        return json.load(f)
