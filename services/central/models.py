"""Central's own table: the registry of conferred awards (sổ khen thưởng cấp Nhà nước)."""

from datetime import date

from sqlmodel import Field, SQLModel


class ConferredAward(SQLModel, table=True):
    __tablename__ = "conferred_award"

    nomination_id: str = Field(primary_key=True)
    award_code: str = Field(index=True)
    nominee_name: str
    proposer_agency: str = Field(index=True)
    conferred_by: str
    decision_no: str
    decided_on: date
    status: str = "conferred"
    event_id: str
