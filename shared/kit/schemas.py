"""API request and response models shared by every tier."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

NomineeKind = Literal["individual", "collective", "household"]
Action = Literal["forward", "return", "refuse", "confer"]


class DraftIn(BaseModel):
    nominee_name: str = Field(min_length=1, max_length=300, examples=["Nguyễn Thị Lan"])
    nominee_kind: NomineeKind = "individual"
    award_code: str = Field(min_length=1, max_length=64, examples=["HCLD_HANG_BA"])
    reason: str = Field(min_length=1, max_length=5000, examples=["Hoàn thành xuất sắc nhiệm vụ"])


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


class DecisionIn(BaseModel):
    action: Action
    reason: str | None = Field(default=None, max_length=5000)
    decision_no: str | None = Field(
        default=None, max_length=100, description="Number of the decision (quyết định); required to confer"
    )


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


class RouteOut(BaseModel):
    award_code: str
    proposer_agency: str
    on: str
    steps: list[dict[str, Any]]
    explanation: list[str]
