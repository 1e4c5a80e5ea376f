"""Every service's record of the awards conferred anywhere, as `award.conferred` and the later
changes told it: what its statistics count (issue 12, item 6)."""

from datetime import date

from sqlmodel import Field, SQLModel


class AwardRecord(SQLModel, table=True):
    __tablename__ = "award_record"

    nomination_id: str = Field(primary_key=True)
    award_code: str
    level: str  # the catalog's: nha_nuoc, bo_tinh, co_so
    nominee_kind: str | None = None
    # Tells a small collective (a registered team or division) from a body of the registry (0035).
    nominee_id: str | None = None
    nominee_position: str | None = None
    direct_worker: bool | None = None
    nominee_sex: str | None = None
    nominee_ethnicity: str | None = None
    mode: str | None = None
    proposer_agency: str = Field(index=True)
    conferred_by: str
    decision_no: str
    decided_on: date = Field(index=True)
    status: str = "conferred"  # conferred | revoked | stripped: statistics count conferred only
