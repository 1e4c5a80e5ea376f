"""What a report counts: years (from..to), an agency with or without the bodies under it, and
optionally one award, one award mode (loại hình) and one kind of awardee. One reading for the API,
the console and every export, so a filter means the same everywhere (decision 0035)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

from services.kit.errors import Invalid
from shared.rules.catalog import AwardMode, RecipientKind, default_catalog
from shared.rules.findings import MODE_VI
from shared.rules.people import KIND_VI

FIRST_YEAR, LAST_YEAR, LONGEST = 1946, 2100, 30
MODES = {mode: MODE_VI[mode] for mode in get_args(AwardMode)}
KINDS = {kind: KIND_VI.get(kind, "cá nhân") for kind in get_args(RecipientKind)}


@dataclass(frozen=True)
class Filters:
    agency_code: str
    from_year: int
    to_year: int
    subordinates: bool = True  # False: the agency's own proposals only
    award: str | None = None
    mode: str | None = None
    kind: str | None = None

    @property
    def years(self) -> range:
        return range(self.from_year, self.to_year + 1)

    def query(self) -> dict[str, Any]:
        """The filters as the address's parameters (the exports' links carry them)."""
        chosen = {"award": self.award, "mode": self.mode, "kind": self.kind}
        return {
            "from_year": self.from_year, "to_year": self.to_year, "agency": self.agency_code,
            "subordinates": "1" if self.subordinates else "0", **{k: v for k, v in chosen.items() if v is not None},
        }  # fmt: skip


def read_year(written: str | int | None, name: str) -> int | None:
    if written is None or written == "":
        return None
    text = str(written).strip()
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise Invalid(
            f"{name}: the year '{text[:8]}' cannot be read (a year from {FIRST_YEAR} to {LAST_YEAR})",
            vi=f"{name}: năm '{text[:8]}' không hợp lệ (một năm từ {FIRST_YEAR} đến {LAST_YEAR})",
        )
    return int(text)


def read_filters(agency_code: str, given: Mapping[str, Any], default_year: int) -> Filters:
    """The filters from an address's parameters (`year`, or `from_year` and `to_year`; `agency`;
    `subordinates` 0 or 1; `award`; `mode`; `kind`), each wrong one refused with what to write."""
    year = read_year(given.get("year"), "year")
    last = read_year(given.get("to_year"), "to_year") or year or default_year
    first = read_year(given.get("from_year"), "from_year") or last
    if first > last:
        raise Invalid(
            f"from_year {first} is after to_year {last}", vi=f"từ năm {first} sau đến năm {last}: đổi lại hai năm"
        )
    if last - first >= LONGEST:
        raise Invalid(
            f"{first}–{last} is more than {LONGEST} years: ask for a shorter range",
            vi=f"{first}–{last} dài hơn {LONGEST} năm: chọn khoảng ngắn hơn",
        )
    agency = str(given.get("agency") or "").strip().upper() or agency_code
    award = str(given.get("award") or "").strip() or None
    if award is not None and award not in default_catalog().awards:
        raise Invalid(
            f"award '{award[:64]}' is not in the catalog (GET /catalog/awards lists the codes)",
            vi=f"không có hình thức khen thưởng '{award[:64]}' trong danh mục",
        )
    mode = str(given.get("mode") or "").strip() or None
    if mode is not None and mode not in MODES:
        raise Invalid(
            f"mode '{mode[:32]}' is none of {', '.join(MODES)}",
            vi=f"loại hình '{mode[:32]}' không hợp lệ: chọn một trong {', '.join(MODES.values())}",
        )
    kind = str(given.get("kind") or "").strip() or None
    if kind is not None and kind not in KINDS:
        raise Invalid(
            f"kind '{kind[:32]}' is none of {', '.join(KINDS)}",
            vi=f"đối tượng '{kind[:32]}' không hợp lệ: cá nhân, tập thể hoặc hộ gia đình",
        )
    subordinates = str(given.get("subordinates", "1")).strip().lower() not in ("0", "false", "no")
    return Filters(agency, first, last, subordinates, award, mode, kind)
