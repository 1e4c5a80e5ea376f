"""Emulation movements (phong trào thi đua): who launched each, so thematic awards go to the launcher.

Loaded from ``data/movements.yaml`` (movements known to the law, such as the Prime Minister's); the
movements agencies launch themselves live in their services (`services/kit/movements`) and route
the same way. The words below are the movements' vocabulary (domain.md §5, form 0601.N).
"""

from datetime import date
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.rules.datafiles import DATA_DIR, CatalogError, Citation

# Kinds of movement (the OSS categories of domain.md §5), scopes (form 0601.N's rows) and the
# statuses a launched movement goes through, in order.
KINDS = {
    "thuong_xuyen": "Thường xuyên",
    "dot": "Theo đợt",
    "chuyen_de": "Chuyên đề",
    "hang_nam": "Hằng năm",
    "5_nam": "05 năm",
}
SCOPES = {
    "toan_quoc": "Toàn quốc",
    "bo_tinh": "Bộ, ngành, tỉnh",
    "cum_khoi": "Cụm, khối thi đua",
    "co_quan": "Cơ quan, đơn vị",
}
STATUSES = {
    "dang_phat_dong": "Đang phát động",
    "dang_xet_khen_thuong": "Đang xét khen thưởng",
    "da_khen_thuong": "Đã khen thưởng",
}
REVIEW_KINDS = {"so_ket": "Sơ kết", "tong_ket": "Tổng kết"}


class Movement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9_-]*$")
    name_vi: str
    launcher: str = Field(description="Registry code of the launching agency, e.g. TW-TTG or P91")
    kind: str = Field(description="thuong_xuyen | dot | chuyen_de | hang_nam | 5_nam")
    valid_from: date
    valid_to: date | None = None
    citation: Citation

    def covers(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def period(self) -> str:
        return f"{self.valid_from.isoformat()} – {self.valid_to.isoformat() if self.valid_to else '…'}"


def load_movements(path: Path = DATA_DIR / "movements.yaml") -> dict[str, Movement]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not isinstance(raw.get("movements"), list):
        raise CatalogError(path.name, None, None, "must be a mapping with a list 'movements'")
    found: dict[str, Movement] = {}
    for item in raw["movements"]:
        code = item.get("code") if isinstance(item, dict) else None
        try:
            entry = Movement.model_validate(item)
        except ValidationError as err:
            first = err.errors()[0]
            raise CatalogError(path.name, code, ".".join(map(str, first["loc"])) or None, first["msg"]) from None
        if entry.code in found:
            raise CatalogError(path.name, entry.code, "code", "is defined twice")
        found[entry.code] = entry
    return found


@cache
def movements() -> dict[str, Movement]:
    return load_movements()


def movement(code: str | None) -> Movement | None:
    return movements().get(code) if code else None
