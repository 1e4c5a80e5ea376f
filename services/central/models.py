"""Central's own table: the registry of conferred awards (sổ khen thưởng cấp Nhà nước).

Its changes (revoked, stripped, restored) are rows of the kit's `award_change` table, which central
keeps for every award it registers (`services/central/handlers.py`).
"""

from datetime import date

from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from services.kit.outcomes.schemas import ChangeOut


class ConferredAward(SQLModel, table=True):
    __tablename__ = "conferred_award"

    nomination_id: str = Field(primary_key=True)
    award_code: str = Field(index=True)
    nominee_name: str
    proposer_agency: str = Field(index=True)
    conferred_by: str
    decision_no: str
    decided_on: date
    status: str = "conferred"  # conferred | revoked | stripped: statistics count conferred only
    event_id: str
    # What statistics need (issue 12): who was awarded and in which mode; None for older events.
    nominee_kind: str | None = None
    nominee_position: str | None = None
    nominee_sex: str | None = None
    nominee_ethnicity: str | None = None
    mode: str | None = None


class AwardOut(BaseModel):
    """A registered award, its current status and every later decision on it, oldest first."""

    nomination_id: str
    award_code: str
    nominee_name: str
    proposer_agency: str
    conferred_by: str
    decision_no: str
    decided_on: date
    status: str
    event_id: str
    nominee_kind: str | None = None
    nominee_position: str | None = None
    nominee_sex: str | None = None
    nominee_ethnicity: str | None = None
    mode: str | None = None
    changes: list[ChangeOut] = []
