"""The award catalog's vocabulary: the models each entry of the rules files is validated against.

A regime (which instruments judge a nomination), the policy choosing it, a conferring authority,
and an award entry with its ballot, dossier, public posting and bonus. Model-level checks name
the field they concern; cross-file checks (known regimes, authorities, lower forms) are in
``catalog.py``. `docs/catalog.schema.json` is generated from these models (``schema.py``).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from shared.rules.datafiles import Citation, FieldError, StrictModel

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
# Fields of an award entry that must each carry a legal citation.
CITED_FIELDS = ("recipients", "modes", "conferred_by", "ballot", "dossier", "public_posting", "bonus")


class Regime(StrictModel):
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
            raise FieldError("valid_to", f"ends ({self.valid_to}) before it starts ({self.valid_from})")
        return self

    def covers(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class RegimePolicy(StrictModel):
    """Which date decides the regime of a nomination (domain.md §4.5, §9.4 case 1)."""

    basis: Literal["submission_date", "decision_date"] = "submission_date"
    citation: Citation


class Authority(StrictModel):
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
            raise FieldError("agency_kinds", "an authority must name agency_kinds or agency_codes that hold it")
        return self


class Ballot(StrictModel):
    required: bool
    threshold: float | None = Field(default=None, gt=0, le=1, description="Share of the council's total membership")
    denominator: Literal["total_members"] = "total_members"

    @model_validator(mode="after")
    def _threshold_when_required(self) -> Ballot:
        if self.required and self.threshold is None:
            raise FieldError("threshold", "a required ballot needs a threshold (share of total members, e.g. 0.9)")
        return self


class PublicPosting(StrictModel):
    required: bool
    working_days: int | None = Field(default=None, ge=1, le=60)
    by: Literal["proposer", "central_board", "proposer_and_central_board"] | None = None

    @model_validator(mode="after")
    def _days_when_required(self) -> PublicPosting:
        if self.required and self.working_days is None:
            raise FieldError("working_days", "required public posting needs working_days")
        if self.required and self.by is None:
            raise FieldError("by", "required public posting needs by (who publishes)")
        return self


class Bonus(StrictModel):
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


class AwardEntry(StrictModel):
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
            raise FieldError(
                f"citations.{missing[0]}",
                f"citations missing for field(s) {missing}; every field in {list(CITED_FIELDS)} needs one",
            )
        unknown = [f for f in self.citations if f not in type(self).model_fields]
        if unknown:
            raise FieldError(f"citations.{unknown[0]}", f"citations given for unknown field(s) {unknown}")
        if self.ballot.required and "ket_qua_bo_phieu" not in self.dossier:
            raise FieldError(
                "dossier", "a ballot is required but the dossier does not list ket_qua_bo_phieu (ballot results)"
            )
        if self.code in self.lower_forms:
            raise FieldError("lower_forms", "an award cannot be its own lower form")
        return self

    def authorities(self, regime: str) -> list[str]:
        return self.conferred_by.get(regime, [])
