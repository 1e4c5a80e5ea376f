"""The proposer's API models: drafts and what the proposer sees of them."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.kit.dossier.schemas import DocumentOut

NomineeKind = Literal["individual", "collective", "household"]


Mode = Literal["cong_trang", "dot_xuat", "chuyen_de", "cong_hien", "nien_han", "doi_ngoai", "khang_chien"]


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
    nominee_position: str | None = Field(
        default=None, max_length=64, description="An individual's position category (GET /catalog/people)"
    )
    nominee_sex: str | None = Field(default=None, max_length=8, description="nam or nu")
    nominee_ethnicity: str | None = Field(default=None, max_length=2, description="Ethnic group, GSO code 01..54")


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


class ResubmitIn(BaseModel):
    reason: str | None = Field(default=None, max_length=5000)
