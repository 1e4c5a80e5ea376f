"""API models of the rules: route previews and eligibility checks."""

from typing import Any

from pydantic import BaseModel, Field

from services.kit.proposals.schemas import Mode, NomineeKind
from shared.rules.days import Day


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


class EligibilityIn(BaseModel):
    award_code: str = Field(min_length=1, max_length=64, examples=["CSTD_TINH"])
    nominee_id: str | None = Field(default=None, max_length=100, description="Judge the history this service holds")
    facts: list[dict[str, Any]] | None = Field(
        default=None, max_length=500, description="Or judge these facts (what-if), instead of a stored history"
    )
    recipient_kind: NomineeKind = "individual"
    mode: Mode = "cong_trang"
    period_year: int | None = Field(default=None, ge=1945, le=2100)
    on: Day | None = Field(default=None, description="Date of the judgement; default: the service's today")
    regime: str | None = Field(default=None, description="Regime code; default: the one in force on `on`")
    province_code: str | None = Field(default=None, description="Selects a provincial rule set, e.g. P24")
    achievement: str | None = None
    initiative_ids: list[str] = Field(default_factory=list, max_length=20)
