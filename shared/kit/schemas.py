"""API request and response models shared by every tier."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

NomineeKind = Literal["individual", "collective", "household"]
Mode = Literal["cong_trang", "dot_xuat", "chuyen_de", "cong_hien", "nien_han", "doi_ngoai", "khang_chien"]
Action = Literal["forward", "return", "refuse", "confer"]


class DraftIn(BaseModel):
    nominee_name: str = Field(min_length=1, max_length=300, examples=["Nguyễn Thị Lan"])
    nominee_kind: NomineeKind = "individual"
    award_code: str = Field(min_length=1, max_length=64, examples=["HCLD_HANG_BA"])
    reason: str = Field(min_length=1, max_length=5000, examples=["Hoàn thành xuất sắc nhiệm vụ"])
    nominee_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9:._-]+$",
        description="Stable id of the person or organisation (e.g. CCCD:079123456789) whose history is judged; "
        "without it every history criterion is 'unknown' and submission only warns",
    )
    mode: Mode = Field(default="cong_trang", description="Loại hình khen thưởng (Law Art. 8)")
    period_year: int | None = Field(
        default=None,
        ge=1945,
        le=2100,
        description="Year whose achievements are judged; default: the year before submission",
    )
    movement_code: str | None = Field(default=None, max_length=64, description="Movement of a chuyên đề nomination")
    achievement: str | None = Field(
        default=None, max_length=200, description="Reference of the achievement rewarded (one achievement, one form)"
    )
    initiative_ids: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Initiatives (sáng kiến) offered as evidence; each is used once",
    )


class DocumentIn(BaseModel):
    kind: str = Field(min_length=1, max_length=64, examples=["to_trinh"])
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(examples=["application/pdf"])
    content_base64: str = Field(description="The file, base64-encoded")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Hex SHA-256 of the file")


class DocumentOut(BaseModel):
    id: str
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class NominationOut(BaseModel):
    id: str
    proposer_agency: str
    nominee_name: str
    nominee_kind: str
    award_code: str
    reason: str
    status: str
    created_at: datetime
    submitted_at: datetime | None
    route: list[dict[str, Any]]
    outcome_at: datetime | None
    outcome_agency: str | None
    outcome_reason: str | None
    decision_no: str | None
    nominee_id: str | None = None
    mode: str = "cong_trang"
    period_year: int | None = None
    movement_code: str | None = None
    achievement: str | None = None
    initiative_ids: list[str] = []
    regime: str | None = None
    eligibility: dict[str, Any] | None = None
    documents: list[DocumentOut] = []


class ReviewOut(BaseModel):
    nomination_id: str
    agency_code: str
    step: int
    visit: int
    status: str
    award_code: str
    nominee_name: str
    proposer_agency: str
    route: list[dict[str, Any]]
    opened_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None
    regime: str | None = None
    mode: str | None = None
    eligibility: dict[str, Any] | None = Field(
        default=None,
        description="The eligibility verdict computed at submission: every criterion with evidence and citation",
    )
    due_on: date | None = Field(default=None, description="The step's deadline (working days, holidays skipped)")
    held: bool = False
    escalated: str | None = Field(default=None, description="The expiry policy applied when the deadline passed")
    assigned_to: str | None = Field(default=None, description="Substitute the item was reassigned to at expiry")


class DecisionIn(BaseModel):
    action: Action
    reason: str | None = Field(default=None, max_length=5000)
    decision_no: str | None = Field(
        default=None, max_length=100, description="Number of the decision (quyết định); required to confer"
    )
    signer: str | None = Field(default=None, max_length=200, description="Who signs the conferral decision")
    conferred_award_code: str | None = Field(
        default=None,
        max_length=64,
        description="Confer a lower form than proposed; allowed only where the catalog lists it in lower_forms",
    )


class HoldIn(BaseModel):
    reason: str = Field(min_length=1, max_length=5000, description="Why the nomination is held or released")
    source: Literal["officer", "complaint", "discipline", "investigation"] = "officer"


class ResubmitIn(BaseModel):
    reason: str | None = Field(default=None, max_length=5000)


class AuditOut(BaseModel):
    seq: int
    at: datetime
    agency_code: str
    nomination_id: str | None
    actor: str
    action: str
    reason: str | None
    outcome: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class ChainOut(BaseModel):
    valid: bool
    records: int
    broken_at_seq: int | None
    head: str


class RouteReasonOut(BaseModel):
    agency_code: str
    role: str
    text: str
    citation: str


class RouteOut(BaseModel):
    award_code: str
    proposer_agency: str
    on: str
    regime: str
    conferring_agency: str
    steps: list[dict[str, Any]]
    reasons: list[RouteReasonOut]
    explanation: list[str]


class FactsIn(BaseModel):
    facts: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=500,
        description="History facts, each with a 'kind': rating, award, initiative, discipline, hold, leave, service, "
        "collective_year (see docs/rules.md)",
        examples=[[{"kind": "rating", "year": 2024, "rating": "xuat_sac", "agency_code": "U91-0001"}]],
    )


class EligibilityIn(BaseModel):
    award_code: str = Field(min_length=1, max_length=64, examples=["CSTD_TINH"])
    nominee_id: str | None = Field(default=None, max_length=100, description="Judge the history this service holds")
    facts: list[dict[str, Any]] | None = Field(
        default=None, max_length=500, description="Or judge these facts (what-if), instead of a stored history"
    )
    recipient_kind: NomineeKind = "individual"
    mode: Mode = "cong_trang"
    period_year: int | None = Field(default=None, ge=1945, le=2100)
    on: date | None = Field(default=None, description="Date of the judgement; default: the service's today")
    regime: str | None = Field(default=None, description="Regime code; default: the one in force on `on`")
    province_code: str | None = Field(default=None, description="Selects a provincial rule set, e.g. P24")
    achievement: str | None = None
    initiative_ids: list[str] = Field(default_factory=list, max_length=20)
