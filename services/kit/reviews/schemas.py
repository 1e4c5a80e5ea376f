"""A reviewing level's API models: its inbox and its decisions."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Action = Literal["forward", "return", "refuse", "confer"]


class ReviewOut(BaseModel):
    nomination_id: str
    agency_code: str
    step: int
    visit: int
    status: str
    award_code: str
    nominee_name: str
    proposer_agency: str
    nominee_kind: str | None = Field(
        default=None, description="individual, collective or household; null where it was not recorded (older rows)"
    )
    route: list[dict[str, Any]]
    opened_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None
    regime: str | None = None
    mode: str | None = None
    batch_no: str | None = Field(default=None, description="The proposer's tờ trình when it proposes many nominees")
    eligibility: dict[str, Any] | None = Field(
        default=None,
        description="The eligibility verdict computed at submission: every criterion with evidence and citation",
    )
    documents: list[dict[str, Any]] = Field(
        default_factory=list,
        description="The dossier as it reached this level (kind, agency_code, document_id, filename, sha256, size): "
        "each document reads at /nominations/{nomination_id}/documents/{document_id}/content",
    )
    due_on: date | None = Field(default=None, description="The step's deadline (working days, holidays skipped)")
    held: bool = False
    escalated: str | None = Field(default=None, description="The expiry policy applied when the deadline passed")
    assigned_to: str | None = Field(
        default=None,
        description="The officer the item is assigned to: by a colleague (console inbox), or a substitute at expiry",
    )


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
