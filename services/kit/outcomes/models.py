"""Changes to a conferred award: revocation, stripping, restoring."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class AwardChange(SQLModel, table=True):
    """A later decision on a conferred award, taken here or received by event (then `event_id` dedups)."""

    __tablename__ = "award_change"
    __table_args__ = (UniqueConstraint("nomination_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    nomination_id: str = Field(index=True)
    seq: int  # 1, 2, … per nomination: two concurrent decisions on one award cannot both commit
    kind: str
    award_code: str
    nominee_name: str
    nominee_id: str | None = None
    agency_code: str = Field(index=True)
    decision_no: str
    original_decision_no: str
    ground: str | None = None
    reason: str | None = None
    recovered_amount: int | None = Field(default=None, sa_column=Column(BigInteger))
    recovered_items: str | None = None
    decided_on: date
    actor: str
    recorded_at: datetime
    event_id: str = Field(unique=True)
