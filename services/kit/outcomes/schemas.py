"""API models of award changes."""

from datetime import date, datetime
from typing import Literal

import pydantic
from pydantic import BaseModel


class RevokeIn(BaseModel):
    ground: Literal["a", "b", "c", "d"] = pydantic.Field(
        description="Law Art. 93(2): a fraudulent declaration; b false information or forged documents; "
        "c appraisal or approval contrary to law; d a later conclusion that the standard was not met"
    )
    decision_no: str = pydantic.Field(min_length=1, max_length=100, description="Number of the revocation decision")
    reason: str = pydantic.Field(min_length=1, max_length=5000)
    recovered_amount: int | None = pydantic.Field(default=None, ge=0, description="Bonus money to recover, đồng")
    recovered_items: str | None = pydantic.Field(
        default=None, max_length=2000, description="Physical awards to recover (certificate, medal, frame…)"
    )


class ChangeIn(BaseModel):
    decision_no: str = pydantic.Field(min_length=1, max_length=100, description="Number of the President's decision")
    reason: str = pydantic.Field(min_length=1, max_length=5000)


class ChangeOut(BaseModel):
    nomination_id: str
    kind: str
    award_code: str
    agency_code: str
    decision_no: str
    original_decision_no: str
    ground: str | None
    reason: str | None
    recovered_amount: int | None
    recovered_items: str | None
    decided_on: date
    actor: str
    recorded_at: datetime


class AwardChangesOut(BaseModel):
    nomination_id: str
    status: str = pydantic.Field(description="conferred, revoked or stripped")
    conferral: dict | None = pydantic.Field(description="The conferral as this service knows it")
    changes: list[ChangeOut]
