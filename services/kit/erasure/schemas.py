"""API models of a personal-data erasure."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

# Why the agency erases (Decree 13/2023/NĐ-CP, the data subject's rights): the subject asked, withdrew
# consent, the purpose is fulfilled, or a competent authority ordered it.
Basis = Literal["subject_request", "consent_withdrawn", "purpose_fulfilled", "authority_order"]


class ErasureIn(BaseModel):
    basis: Basis = Field(description="The legal basis (căn cứ xóa dữ liệu)", examples=["subject_request"])
    reason: str = Field(
        min_length=5,
        max_length=500,
        description="The request and its reference (số, ngày văn bản). It enters the audit log, which is never "
        "erased: name the request, never the personal data",
        examples=["Đơn đề nghị xóa dữ liệu cá nhân số 12/ĐN ngày 02/03/2026"],
    )


class ErasureOut(BaseModel):
    nominee_id: str
    erased_values: int = Field(description="How many stored values this service erased (0: nothing was left)")
    fields: list[str] = Field(description="What erasure erases; the name, kind and position category stay")
    basis: str
    erased_at: datetime | None = Field(description="When the nominee's data was (last) erased")
    already_erased: bool
