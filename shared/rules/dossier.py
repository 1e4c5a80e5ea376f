"""What a dossier must contain when it reaches a level (domain.md §4.2, §4.6).

The award's catalog entry names its components (Law Art. 84(1); QĐ 311/QĐ-BNV for central
level); ``data/dossier_levels.yaml`` lets a deployment say that the agency at some level asks for
more or less. A malformed file raises `CatalogError` naming the file, the entry and the field.
Everything here is pure: the manifest is plain data from the workflow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args

from pydantic import Field, model_validator

from shared.contracts.nomination import DocumentRef
from shared.rules.catalog import Catalog, default_catalog
from shared.rules.catalog_entries import DocumentKind
from shared.rules.datafiles import DATA_DIR, CatalogError, Citation, FieldError, StrictModel, parse_model, read_yaml
from shared.rules.deadlines import LEVELS, Level

BALLOT_RESULTS = "ket_qua_bo_phieu"
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)

# Display names, in the words of the forms officials fill in (glossary: docs/glossary.md).
DOCUMENT_NAMES_VI: dict[str, str] = {
    "to_trinh": "Tờ trình đề nghị khen thưởng",
    "bao_cao_thanh_tich": "Báo cáo thành tích",
    "bien_ban_hoi_dong": "Biên bản họp Hội đồng TĐKT",
    "ket_qua_bo_phieu": "Kết quả bỏ phiếu kín",
    "xac_nhan_sang_kien": "Xác nhận sáng kiến, đề tài nghiên cứu khoa học",
    "y_kien_hiep_y": "Ý kiến hiệp y",
    "tom_tat_qua_trinh_cong_tac": "Tóm tắt quá trình công tác",
    "xac_nhan_thanh_tich": "Xác nhận thành tích của cơ quan có thẩm quyền",
    "bao_cao_tom_tat": "Báo cáo tóm tắt thành tích",
}


class LevelOverride(StrictModel):
    """What the agency at one level asks for beyond (or instead of) the catalog dossier."""

    level: Level
    awards: list[str] = Field(default_factory=list, description="Award codes it applies to; [] means every award")
    add: list[DocumentKind] = Field(default_factory=list)
    drop: list[DocumentKind] = Field(default_factory=list)
    citation: Citation

    @model_validator(mode="after")
    def _says_something(self) -> LevelOverride:
        if not self.add and not self.drop:
            raise FieldError("add", "an override must add or drop at least one document kind")
        for name in ("awards", "add", "drop"):
            items = getattr(self, name)
            if len(set(items)) != len(items):
                raise FieldError(name, f"lists an item twice: {items}")
        both = sorted(set(self.add) & set(self.drop))
        if both:
            raise FieldError("drop", f"kind(s) {both} are both added and dropped")
        return self


@dataclass(frozen=True)
class DossierLevels:
    """Overrides by level; those for every award apply before those naming the award."""

    overrides: tuple[LevelOverride, ...] = ()

    def for_award(self, level: str, award_code: str) -> list[LevelOverride]:
        general = [o for o in self.overrides if o.level == level and not o.awards]
        specific = [o for o in self.overrides if o.level == level and award_code in o.awards]
        return general + specific


def load_dossier_levels(path: Path = DATA_DIR / "dossier_levels.yaml", catalog: Catalog | None = None) -> DossierLevels:
    """Load and check the overrides; award codes are checked against `catalog` (the shipped one by default)."""
    name = path.name
    raw: Any = read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("overrides"), list):
        raise CatalogError(name, None, "overrides", "must be a mapping with a list 'overrides' (give [] for none)")
    extra = sorted(str(k) for k in raw if k != "overrides")
    if extra:
        raise CatalogError(name, None, extra[0], "unknown top-level key; only 'overrides' is allowed")
    catalog = catalog or default_catalog()
    overrides: list[LevelOverride] = []
    scopes: dict[tuple[str, str], str] = {}
    for index, item in enumerate(raw["overrides"]):
        entry = _entry_name(item, index)
        override = parse_model(LevelOverride, item, name, entry)
        for code in override.awards:
            if code not in catalog.awards:
                raise CatalogError(name, entry, "awards", f"unknown award '{code}'; see the catalog for codes")
            if BALLOT_RESULTS in override.drop and catalog.awards[code].ballot.required:
                raise CatalogError(
                    name,
                    entry,
                    "drop",
                    f"{code} requires a secret ballot: its results ({BALLOT_RESULTS}) cannot be dropped",
                )
        for scope in override.awards or ["*"]:
            if (override.level, scope) in scopes:
                raise CatalogError(
                    name,
                    entry,
                    "awards",
                    f"level '{override.level}' already has an override for "
                    f"{'every award' if scope == '*' else scope} ({scopes[(override.level, scope)]})",
                )
            scopes[(override.level, scope)] = entry
        overrides.append(override)
    return DossierLevels(tuple(overrides))


def _entry_name(item: Any, index: int) -> str:
    level = item.get("level") if isinstance(item, dict) else None
    return f"overrides #{index + 1}" + (f" ({level})" if level else "")


@cache
def default_dossier_levels() -> DossierLevels:
    return load_dossier_levels()


def required_documents(
    catalog: Catalog, award_code: str, level: str, *, levels: DossierLevels | None = None
) -> list[str]:
    """The kinds the receiving agency at `level` requires for `award_code`, in catalog order.

    Ballot results are required whenever the catalog requires a ballot, whatever an override
    says: the ballot's threshold cannot be checked without them (Law Art. 84(1)).
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level '{level}'; known: {list(LEVELS)}")
    entry = catalog.award(award_code)
    kinds: list[str] = list(entry.dossier)
    for override in (levels or default_dossier_levels()).for_award(level, award_code):
        kinds = [k for k in kinds if k not in override.drop]
        kinds += [k for k in override.add if k not in kinds]
    if entry.ballot.required and BALLOT_RESULTS not in kinds:
        after = kinds.index("bien_ban_hoi_dong") + 1 if "bien_ban_hoi_dong" in kinds else len(kinds)
        kinds.insert(after, BALLOT_RESULTS)
    return kinds


def missing_documents(required: Sequence[str], manifest: Sequence[DocumentRef]) -> list[str]:
    """The required kinds with no document in the manifest, in the order required."""
    present = {document.kind for document in manifest}
    return [kind for kind in required if kind not in present]


def describe_missing(missing: Sequence[str]) -> str:
    """A sentence for the request to supplement (đề nghị bổ sung hồ sơ), naming each missing item."""
    if not missing:
        return "Hồ sơ đủ thành phần."
    return "Thiếu: " + "; ".join(DOCUMENT_NAMES_VI.get(kind, kind) for kind in missing)
