"""API models of nominees and their histories."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

NomineeKind = Literal["individual", "collective", "household"]

NOMINEE_ID = Field(
    min_length=1,
    max_length=100,
    pattern=r"^[A-Za-z0-9:._-]+$",
    description="Stable id of the person or organisation, e.g. CCCD:079123456789 (mã định danh)",
    examples=["CCCD:091000000001"],
)


class NomineeIn(BaseModel):
    id: str = NOMINEE_ID
    kind: NomineeKind = "individual"
    name: str = Field(min_length=1, max_length=300, examples=["Nguyễn Thị Lan"])
    position_category: str | None = Field(
        default=None,
        max_length=64,
        description="An individual's position category (GET /catalog/people), e.g. giao_vien; "
        "given again by the managing agency, it replaces the one registered",
        examples=["giao_vien"],
    )
    sex: str | None = Field(default=None, max_length=8, description="An individual's sex: nam or nu", examples=["nu"])
    ethnicity: str | None = Field(
        default=None, max_length=2, description="An individual's ethnic group, GSO code 01..54", examples=["01"]
    )


class NomineeOut(BaseModel):
    id: str
    kind: str
    name: str
    managing_agency: str
    registered_by: str
    registered_at: datetime
    position_category: str | None = None
    sex: str | None = None
    ethnicity: str | None = None
    personal_erased_at: datetime | None = Field(
        default=None, description="When the sex and ethnic group were erased (POST /nominees/{id}/erasure), if ever"
    )


class FactsIn(BaseModel):
    facts: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=500,
        description="History facts, each with a 'kind': rating, award, initiative, discipline, hold, leave, service, "
        "collective_year (see docs/rules.md)",
        examples=[[{"kind": "rating", "year": 2024, "rating": "xuat_sac", "agency_code": "U91-0001"}]],
    )


class RetractIn(BaseModel):
    reason: str = Field(
        min_length=5,
        max_length=2000,
        description="Why the fact was wrong (lý do thu hồi)",
        examples=["Ghi nhầm đối tượng"],
    )


class FactRecord(BaseModel):
    fact_key: str
    fact: dict[str, Any]
    source_agency: str
    recorded_by: str
    recorded_at: datetime
    origin: str
    retracted_at: datetime | None
    retracted_by: str | None
    retraction_reason: str | None
