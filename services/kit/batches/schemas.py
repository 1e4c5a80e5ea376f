"""API models of a tờ trình for many nominees, and of a level's decision on many."""

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from services.kit.reviews.bulk import DECISION_ITEMS


class BatchIn(BaseModel):
    number: str = Field(min_length=1, max_length=100, examples=["12/TTr-SNV"], description="Số tờ trình")
    title: str = Field(min_length=1, max_length=500, examples=["Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh"])


class BatchItemsIn(BaseModel):
    nomination_ids: list[str] = Field(min_length=1, max_length=1000)


class ManyIn(BaseModel):
    """Who a decision on many is about: named, or the awardees of a tờ trình pending here."""

    reason: str | None = Field(default=None, max_length=5000)
    nomination_ids: list[str] = Field(default_factory=list, max_length=DECISION_ITEMS)
    batch_no: str | None = Field(
        default=None,
        max_length=100,
        description=f"Or the awardees of this tờ trình pending here (the first {DECISION_ITEMS}; `remaining` says "
        "how many are left for the next request, including those an earlier request's decisions are still "
        "recording: ask again a moment later)",
    )

    @model_validator(mode="after")
    def _which(self) -> "ManyIn":
        if bool(self.nomination_ids) == bool(self.batch_no):
            raise ValueError("name the nominations or the tờ trình (batch_no), one of the two")
        return self


class ManyDecisionIn(ManyIn):
    decision_no: str = Field(min_length=1, max_length=100, examples=["15/QĐ-UBND"])


class ManyReviewsIn(ManyIn):
    action: Literal["forward", "return", "confer"]
    decision_no: str | None = Field(
        default=None, max_length=100, description="Number of the decision (quyết định); required to confer"
    )
