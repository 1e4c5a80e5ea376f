"""API models of registering bodies under the hierarchy."""

import base64
import binascii
from datetime import date

from pydantic import BaseModel, Field

from services.kit.bodies.sheets import MAX_IMPORT_BYTES
from services.kit.errors import Invalid
from shared.hierarchy.bodies import KINDS, LEGAL_BASIS_MAX, NAME_MAX, Body, registration
from shared.rules.days import Day


class AgencyIn(BaseModel):
    code: str = Field(
        min_length=1, max_length=64, examples=["U91-0101"], description="The body's code (mã đơn vị), e.g. U91-0101"
    )
    name: str = Field(min_length=1, max_length=NAME_MAX, examples=["Trường Trung học cơ sở Bình Sơn"])
    kind: str = Field(
        description=f"One of {', '.join(KINDS)}, or its Vietnamese word ('Trường học')", examples=["school"]
    )
    tier: str = Field(default="unit", description="The service that hosts it: unit, district or province")
    parent_code: str = Field(
        min_length=1, max_length=64, examples=["C30823"], description="The managing authority (cơ quan quản lý)"
    )
    location_code: str | None = Field(
        default=None, max_length=16, examples=["C30823"], description="The commune its office is in"
    )
    valid_from: Day | None = Field(default=None, description="Its first day (default: the service's today)")
    legal_basis: str | None = Field(
        default=None, max_length=LEGAL_BASIS_MAX, examples=["Quyết định số 12/QĐ-UBND ngày 15/8/2025"]
    )

    def body(self, today: date) -> Body:
        return registration(**self.model_dump(exclude={"valid_from"}), valid_from=self.valid_from or today)


class AgencyOut(BaseModel):
    code: str
    name: str
    tier: str
    kind: str
    parent_code: str | None
    valid_from: date
    valid_to: date | None
    location_code: str | None
    legal_basis: str | None


class ImportIn(BaseModel):
    filename: str = Field(min_length=1, max_length=255, examples=["don_vi.xlsx"], description="Ends in .csv or .xlsx")
    content_base64: str = Field(
        max_length=MAX_IMPORT_BYTES * 4 // 3 + 4, description="The file, base64-encoded (docs/hierarchy.md)"
    )
    dry_run: bool = Field(default=False, description="Check every row and register nothing")

    def content(self) -> bytes:
        try:
            return base64.b64decode(self.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid("content_base64 is not valid base64 (nội dung tệp không đúng base64)") from None


class RowProblem(BaseModel):
    field: str
    vi: str
    en: str


class ImportLine(BaseModel):
    row: int = Field(description="The row number a spreadsheet shows (the header is row 1)")
    code: str
    ok: bool
    errors: list[RowProblem]


class ImportReport(BaseModel):
    filename: str
    format: str
    dry_run: bool
    rows: int
    valid: int
    invalid: int
    applied: bool = Field(description="Whether the bodies were registered (all of them, or none)")
    lines: list[ImportLine]
