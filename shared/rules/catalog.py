"""The law as data: legal regimes, conferring authorities and the award catalog.

Everything here is loaded from reviewable YAML files under ``shared/rules/data/`` and validated
by the Pydantic models below. A malformed or contradictory file fails to load with a
``CatalogError`` naming the file, the entry and the field. Nothing in this module encodes a rule
in Python: the files do, each field with its legal citation (docs/rules.md).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DATA_DIR = Path(__file__).parent / "data"

RecipientKind = Literal["individual", "collective", "household"]
AwardMode = Literal["cong_trang", "dot_xuat", "chuyen_de", "cong_hien", "nien_han", "doi_ngoai", "khang_chien"]
Category = Literal[
    "danh_hieu_thi_dua",
    "huan_chuong",
    "huy_chuong",
    "danh_hieu_vinh_du",
    "giai_thuong",
    "ky_niem_chuong",
    "bang_khen",
    "giay_khen",
]
Confidence = Literal["H", "M", "L"]
# Fields of an award entry that must each carry a legal citation.
CITED_FIELDS = ("recipients", "modes", "conferred_by", "ballot", "dossier", "public_posting", "bonus")


class CatalogError(ValueError):
    """A rules file that cannot be used; the message names file, entry and field."""

    def __init__(self, file: str, entry: str | None, field: str | None, message: str) -> None:
        self.file, self.entry, self.field = file, entry, field
        where = file + (f": entry '{entry}'" if entry else "") + (f", field '{field}'" if field else "")
        super().__init__(f"{where}: {message}")


class _FieldError(ValueError):
    """Raised by a model-level check to name the field it concerns (Pydantic reports such errors
    at the model's own location; `_field_of` appends `field` to it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    """Where a rule comes from. Confidence L or `configurable: true` marks a documented default."""

    instrument: str = Field(min_length=1, examples=["Luật Thi đua, khen thưởng 06/2022/QH15"])
    article: str | None = Field(default=None, examples=["Điều 80 khoản 2"])
    source: str | None = Field(default=None, description="Source tag in the domain brief, e.g. S3:c365dc62838fd8ab")
    confidence: Confidence = "H"
    configurable: bool = Field(default=False, description="Not confirmed law: a default a deployment may change")
    note: str | None = None

    def text(self) -> str:
        parts = [self.instrument + (f", {self.article}" if self.article else "")]
        if self.confidence != "H" or self.configurable:
            parts.append(f"(độ tin cậy {self.confidence}; mặc định có thể cấu hình)")
        return " ".join(parts)


class Regime(_Strict):
    """A legal regime: the set of instruments a nomination is judged under."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", examples=["ND98", "ND152"])
    name: str
    valid_from: date
    valid_to: date | None = None
    instruments: list[str] = Field(min_length=1)
    citation: Citation

    @model_validator(mode="after")
    def _ordered_dates(self) -> Regime:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise _FieldError("valid_to", f"ends ({self.valid_to}) before it starts ({self.valid_from})")
        return self

    def covers(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class RegimePolicy(_Strict):
    """Which date decides the regime of a nomination (domain.md §4.5, §9.4 case 1)."""

    basis: Literal["submission_date", "decision_date"] = "submission_date"
    citation: Citation


class Authority(_Strict):
    """A kind of conferring authority and the kinds of registry agency whose head holds it."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", examples=["commune_chair"])
    name_vi: str
    name_en: str
    agency_kinds: list[str] = Field(default_factory=list, description="Registry agency kinds, e.g. commune, ward")
    agency_codes: list[str] = Field(default_factory=list, description="Specific agencies, e.g. TW-TTG")
    citation: Citation

    @model_validator(mode="after")
    def _held_by_someone(self) -> Authority:
        if not self.agency_kinds and not self.agency_codes:
            raise _FieldError("agency_kinds", "an authority must name agency_kinds or agency_codes that hold it")
        return self


class Ballot(_Strict):
    required: bool
    threshold: float | None = Field(default=None, gt=0, le=1, description="Share of the council's total membership")
    denominator: Literal["total_members"] = "total_members"

    @model_validator(mode="after")
    def _threshold_when_required(self) -> Ballot:
        if self.required and self.threshold is None:
            raise _FieldError("threshold", "a required ballot needs a threshold (share of total members, e.g. 0.9)")
        return self


class PublicPosting(_Strict):
    required: bool
    working_days: int | None = Field(default=None, ge=1, le=60)
    by: Literal["proposer", "central_board", "proposer_and_central_board"] | None = None

    @model_validator(mode="after")
    def _days_when_required(self) -> PublicPosting:
        if self.required and self.working_days is None:
            raise _FieldError("working_days", "required public posting needs working_days")
        if self.required and self.by is None:
            raise _FieldError("by", "required public posting needs by (who publishes)")
        return self


class Bonus(_Strict):
    """Coefficients × the base salary on the decision date (Decree 152 Art. 50-54)."""

    individual: float | None = Field(default=None, ge=0)
    collective: float | None = Field(default=None, ge=0)
    household: float | None = Field(default=None, ge=0)


DocumentKind = Literal[
    "to_trinh",
    "bao_cao_thanh_tich",
    "bien_ban_hoi_dong",
    "ket_qua_bo_phieu",
    "xac_nhan_sang_kien",
    "y_kien_hiep_y",
    "tom_tat_qua_trinh_cong_tac",
    "xac_nhan_thanh_tich",
    "bao_cao_tom_tat",
]


class AwardEntry(_Strict):
    """One emulation title or commendation form."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=64, examples=["CSTD_CO_SO"])
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    category: Category
    award_class: int | None = Field(
        default=None, ge=1, le=3, description="Hạng (class) 1, 2 or 3 where the form has classes"
    )
    level: Literal["co_so", "bo_tinh", "nha_nuoc"] = Field(description="Grassroots, ministry/province or State level")
    recipients: list[RecipientKind] = Field(min_length=1)
    modes: list[AwardMode] = Field(min_length=1)
    conferred_by: dict[str, list[str]] = Field(
        description="Regime code → authority codes that may confer it under that regime; [] if it does not exist then"
    )
    proposed_by: list[str] = Field(
        default_factory=list,
        description="For State awards: the authority that proposes to the conferring one "
        "(the Prime Minister proposes to the President)",
    )
    ballot: Ballot
    dossier: list[DocumentKind] = Field(min_length=1)
    public_posting: PublicPosting
    bonus: Bonus
    lower_forms: list[str] = Field(
        default_factory=list, description="Forms the authority may confer instead (configuration)"
    )
    citations: dict[str, Citation]
    notes: str | None = None

    @field_validator("recipients", "modes", "dossier")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(f"lists an item twice: {value}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> AwardEntry:
        missing = [f for f in CITED_FIELDS if f not in self.citations]
        if missing:
            raise _FieldError(
                f"citations.{missing[0]}",
                f"citations missing for field(s) {missing}; every field in {list(CITED_FIELDS)} needs one",
            )
        unknown = [f for f in self.citations if f not in type(self).model_fields]
        if unknown:
            raise _FieldError(f"citations.{unknown[0]}", f"citations given for unknown field(s) {unknown}")
        if self.ballot.required and "ket_qua_bo_phieu" not in self.dossier:
            raise _FieldError(
                "dossier", "a ballot is required but the dossier does not list ket_qua_bo_phieu (ballot results)"
            )
        if self.code in self.lower_forms:
            raise _FieldError("lower_forms", "an award cannot be its own lower form")
        return self

    def authorities(self, regime: str) -> list[str]:
        return self.conferred_by.get(regime, [])


class Catalog(BaseModel):
    """Everything loaded and cross-checked: regimes, authorities, awards by code."""

    model_config = ConfigDict(frozen=True)

    regimes: list[Regime]
    policy: RegimePolicy
    authorities: dict[str, Authority]
    awards: dict[str, AwardEntry]
    sources: dict[str, str] = Field(default_factory=dict, description="Award code → file it came from")

    def award(self, code: str) -> AwardEntry:
        try:
            return self.awards[code]
        except KeyError:
            raise KeyError(f"unknown award code '{code}'") from None

    def regime_on(self, on: date) -> Regime:
        for regime in self.regimes:
            if regime.covers(on):
                return regime
        raise LookupError(f"no legal regime covers {on.isoformat()}")

    def judging_regime(self, submitted_on: date) -> Regime:
        """The regime a dossier submitted on `submitted_on` is judged under (policy in regimes.yaml).

        With basis `decision_date` the answer is provisional until the decision: the regime in
        force on the submission date is recorded, and the deciding level judges again.
        """
        return self.regime_on(submitted_on)

    def regime(self, code: str) -> Regime:
        for regime in self.regimes:
            if regime.code == code:
                return regime
        raise LookupError(f"unknown regime '{code}'")

    def authority_of_agency(self, agency_code: str, agency_kind: str) -> Authority | None:
        """The authority the head of this agency holds, if any: specific codes win over kinds."""
        for authority in self.authorities.values():
            if agency_code in authority.agency_codes:
                return authority
        for authority in self.authorities.values():
            if agency_kind in authority.agency_kinds:
                return authority
        return None


def _read_yaml(path: Path, name: str | None = None) -> Any:
    """The parsed file; errors name it as `name` (its path under the data directory)."""
    name = name or path.name
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise CatalogError(name, None, None, f"is not valid YAML: {err}") from None
    except OSError as err:
        raise CatalogError(name, None, None, f"cannot be read: {err}") from None


def _field_of(err: ValidationError) -> tuple[str, str]:
    """The dotted path of the first error and its message; model-level checks name their field."""
    first = err.errors()[0]
    path = [str(p) for p in first["loc"]]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, _FieldError):
        path.append(cause.field)
        return ".".join(path), str(cause)
    return ".".join(path), first["msg"]


def _entry_name(raw: Any, index: int) -> str:
    """How an entry is named in errors: its code when it has one, else its position (#1, #2 …)."""
    code = raw.get("code") if isinstance(raw, dict) else None
    return str(code) if code else f"#{index + 1}"


def _model(cls: type[BaseModel], data: Any, file: str, entry: str | None) -> Any:
    try:
        return cls.model_validate(data)
    except ValidationError as err:
        field, message = _field_of(err)
        raise CatalogError(file, entry, field or None, message) from None


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Load and cross-check every rules file under `data_dir` (regimes, authorities, catalog/*.yaml)."""
    base = _read_yaml(data_dir / "regimes.yaml")
    if not isinstance(base, dict) or "regimes" not in base or "policy" not in base:
        raise CatalogError("regimes.yaml", None, None, "must be a mapping with 'regimes' and 'policy'")
    if not isinstance(base["regimes"], list) or not base["regimes"]:
        raise CatalogError("regimes.yaml", None, "regimes", "must be a non-empty list")
    regimes = [_model(Regime, r, "regimes.yaml", _entry_name(r, i)) for i, r in enumerate(base["regimes"])]
    seen_regimes: set[str] = set()
    for regime in regimes:
        if regime.code in seen_regimes:
            raise CatalogError("regimes.yaml", regime.code, "code", "is defined twice")
        seen_regimes.add(regime.code)
    policy = _model(RegimePolicy, base["policy"], "regimes.yaml", "policy")
    ordered = sorted(regimes, key=lambda r: r.valid_from)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.valid_to is None or before.valid_to >= after.valid_from:
            raise CatalogError("regimes.yaml", after.code, "valid_from", f"overlaps regime {before.code}")
    regime_codes = {r.code for r in regimes}

    raw_authorities = _read_yaml(data_dir / "authorities.yaml")
    if not isinstance(raw_authorities, dict) or not isinstance(raw_authorities.get("authorities"), list):
        raise CatalogError("authorities.yaml", None, None, "must be a mapping with a list 'authorities'")
    authorities: dict[str, Authority] = {}
    kinds_seen: dict[str, str] = {}
    for index, raw in enumerate(raw_authorities["authorities"]):
        authority = _model(Authority, raw, "authorities.yaml", _entry_name(raw, index))
        if authority.code in authorities:
            raise CatalogError("authorities.yaml", authority.code, "code", "is defined twice")
        for kind in authority.agency_kinds:
            if kind in kinds_seen:
                raise CatalogError(
                    "authorities.yaml",
                    authority.code,
                    "agency_kinds",
                    f"agency kind '{kind}' is already held by '{kinds_seen[kind]}'",
                )
            kinds_seen[kind] = authority.code
        authorities[authority.code] = authority

    awards: dict[str, AwardEntry] = {}
    sources: dict[str, str] = {}
    files = sorted((data_dir / "catalog").glob("*.yaml"))
    if not files:
        raise CatalogError("catalog/", None, None, "no catalog files (*.yaml) found")
    for path in files:
        name = f"catalog/{path.name}"
        content = _read_yaml(path, name)
        if not isinstance(content, dict) or not isinstance(content.get("awards"), list):
            raise CatalogError(name, None, None, "must be a mapping with a list 'awards'")
        extra = sorted(str(k) for k in content if k != "awards")
        if extra:
            raise CatalogError(name, None, extra[0], f"unknown top-level key(s) {extra}; only 'awards' is allowed")
        for index, raw in enumerate(content["awards"]):
            entry = _model(AwardEntry, raw, name, _entry_name(raw, index))
            if entry.code in awards:
                raise CatalogError(name, entry.code, "code", f"is already defined in {sources[entry.code]}")
            for regime, codes in entry.conferred_by.items():
                if regime not in regime_codes:
                    raise CatalogError(
                        name, entry.code, f"conferred_by.{regime}", f"unknown regime; known: {sorted(regime_codes)}"
                    )
                for authority in codes:
                    if authority not in authorities:
                        raise CatalogError(
                            name,
                            entry.code,
                            f"conferred_by.{regime}",
                            f"unknown authority '{authority}'; known: {sorted(authorities)}",
                        )
            for regime in sorted(regime_codes - set(entry.conferred_by)):
                raise CatalogError(
                    name,
                    entry.code,
                    f"conferred_by.{regime}",
                    f"says nothing for regime {regime}; give [] if the award does not exist then",
                )
            for authority in entry.proposed_by:
                if authority not in authorities:
                    raise CatalogError(name, entry.code, "proposed_by", f"unknown authority '{authority}'")
            awards[entry.code] = entry
            sources[entry.code] = name
    for code, entry in awards.items():
        for lower in entry.lower_forms:
            if lower not in awards:
                raise CatalogError(sources[code], code, "lower_forms", f"unknown award '{lower}'")
    return Catalog(regimes=ordered, policy=policy, authorities=authorities, awards=awards, sources=sources)


@cache
def default_catalog() -> Catalog:
    """The catalog shipped with tdkt, loaded once per process."""
    return load_catalog()
