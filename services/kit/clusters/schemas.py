"""API models of clusters and blocs (cụm, khối thi đua)."""

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from shared.rules.days import Day
from shared.rules.ranking import TIE_RULES


class ClusterIn(BaseModel):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9_-]{2,63}$", examples=["P91-KHOI-TONG-HOP"])
    name: str = Field(min_length=1, max_length=300, examples=["Khối các sở, ngành Tổng hợp"])
    kind: Literal["cum", "khoi"]
    formed_on: Day
    awards_by_rank: dict[str, str] = Field(
        default_factory=dict,
        description="The award proposed for each rank, e.g. {'1': 'CO_THI_DUA_TINH', '2': 'BANG_KHEN_TINH'}",
    )
    tie_rule: str = Field(default="peer_then_self", description=f"One of {', '.join(TIE_RULES)}")

    @field_validator("awards_by_rank")
    @classmethod
    def _ranks(cls, value: dict[str, str]) -> dict[str, str]:
        if any(not rank.isdigit() or int(rank) < 1 for rank in value):
            raise ValueError("ranks are 1, 2, 3…")
        return value

    @field_validator("tie_rule")
    @classmethod
    def _tie_rule(cls, value: str) -> str:
        if value not in TIE_RULES:
            raise ValueError(f"tie_rule is one of {', '.join(TIE_RULES)}")
        return value


class MemberIn(BaseModel):
    agency_code: str = Field(min_length=1, max_length=64)
    starts_on: Day


class LeaveIn(BaseModel):
    on: Day = Field(description="The first day the agency is no longer a member")


class LeadIn(BaseModel):
    agency_code: str = Field(min_length=1, max_length=64)
    role: Literal["truong", "pho"] = Field(description="truong: the leader (cụm/khối trưởng); pho: the deputy")
    starts_on: Day
    ends_on: Day


class CriterionIn(BaseModel):
    code: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    text: str = Field(min_length=1, max_length=500)
    max_points: int = Field(ge=1, le=1000)


class YearIn(BaseModel):
    year: int = Field(ge=2000, le=2100)
    pledge_items: list[str] = Field(min_length=1, max_length=30, description="The pledge's content items")
    criteria: list[CriterionIn] = Field(min_length=1, max_length=50)


class SignIn(BaseModel):
    agency_code: str = Field(min_length=1, max_length=64, description="The member signing the pledge")


class ScoreIn(BaseModel):
    agency_code: str = Field(min_length=1, max_length=64, description="The member scored")
    kind: Literal["self", "peer", "final"]
    by_agency: str | None = Field(default=None, max_length=64, description="For a peer score: the member scoring")
    points: dict[str, int] = Field(description="Points per criterion code")


class RankIn(BaseModel):
    propose: bool = Field(default=True, description="Draft the proposals the cluster's awards_by_rank names")


class CloseIn(BaseModel):
    on: Day
    note: str = Field(min_length=1, max_length=500, examples=["Sắp xếp đơn vị hành chính năm 2025"])
    successors: list[str] = Field(default_factory=list, max_length=20, description="Clusters formed in its place")
