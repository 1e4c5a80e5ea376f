"""API models of emulation movements: launching one, registering in it, its reviews, its model
examples and its status."""

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from shared.rules.days import Day

Kind = Literal["thuong_xuyen", "dot", "chuyen_de", "hang_nam", "5_nam"]
Scope = Literal["toan_quoc", "bo_tinh", "cum_khoi", "co_quan"]


class CriterionIn(BaseModel):
    code: str = Field(pattern=r"^[a-z0-9_]{1,32}$", examples=["chuyen_doi_so"])
    text: str = Field(min_length=1, max_length=500, examples=["100% hồ sơ TĐKT được tiếp nhận trực tuyến"])
    mandatory: bool = Field(default=False, description="A registration must pledge every mandatory criterion")


class MovementIn(BaseModel):
    code: str | None = Field(
        default=None,
        pattern=r"^[A-Z0-9][A-Z0-9_-]{2,63}$",
        description="The movement's code; default: <launcher>-<year>-<nn>",
        examples=["P91-2026-CDS"],
    )
    name: str = Field(min_length=1, max_length=300, examples=["Phong trào thi đua chuyển đổi số năm 2026"])
    theme: str = Field(min_length=1, max_length=2000, examples=["Đẩy mạnh chuyển đổi số trong cơ quan nhà nước"])
    kind: Kind
    scope: Scope
    starts_on: Day
    ends_on: Day | None = Field(default=None, description="Last day (inclusive); none for a regular movement")
    launch_document: str = Field(
        min_length=1, max_length=200, description="The plan or decision launching it (số/ký hiệu, ngày)",
        examples=["Kế hoạch số 15/KH-UBND ngày 10/01/2026"],
    )  # fmt: skip
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _period_and_codes(self) -> "MovementIn":
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        if self.kind != "thuong_xuyen" and self.ends_on is None:
            raise ValueError(f"a {self.kind} movement has a last day (ends_on); only a regular one runs on")
        codes = [c.code for c in self.criteria]
        if len(set(codes)) != len(codes):
            raise ValueError("two criteria share a code")
        return self


class RegistrationIn(BaseModel):
    pledged: list[str] = Field(default_factory=list, max_length=50, description="Codes of the criteria pledged")
    items: list[str] = Field(default_factory=list, max_length=30, description="The pledge's own content items")

    @model_validator(mode="after")
    def _items(self) -> "RegistrationIn":
        self.items = [item.strip() for item in self.items if item.strip()]
        if any(len(item) > 500 for item in self.items):
            raise ValueError("a pledge item is at most 500 characters")
        return self


class ReviewIn(BaseModel):
    kind: Literal["so_ket", "tong_ket"] = Field(description="so_ket: mid-term review; tong_ket: final review")
    held_on: Day
    summary: str = Field(min_length=1, max_length=5000)
    document: str | None = Field(default=None, max_length=200, description="Its report (số/ký hiệu)")


class ExampleIn(BaseModel):
    name: str = Field(min_length=1, max_length=300, description="The person or collective held up as an example")
    collective: bool = False
    agency_code: str = Field(min_length=1, max_length=64, description="The agency they belong to (or are)")
    achievement: str = Field(min_length=1, max_length=2000)


class StatusIn(BaseModel):
    status: Literal["dang_xet_khen_thuong", "da_khen_thuong"]
    note: str | None = Field(default=None, max_length=500, description="E.g. the decisions that conferred its awards")
