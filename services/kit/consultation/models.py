"""Public consultation (công khai): the posting and what the public filed."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel


class Consultation(SQLModel, table=True):
    """The proposer's public posting of a nomination (công khai, lấy ý kiến; Law Art. 84(5))."""

    __tablename__ = "consultation"

    id: str = Field(primary_key=True)
    nomination_id: str = Field(unique=True)
    agency_code: str = Field(index=True)
    award_code: str
    nominee_name: str
    posted_on: date
    channel: str
    working_days: int
    closes_on: date  # the last day comments are taken
    opened_by: str
    opened_at: datetime


class ConsultationComment(SQLModel, table=True):
    """A comment or complaint from the public; complaints can put the nomination on hold."""

    __tablename__ = "consultation_comment"

    id: str = Field(primary_key=True)
    consultation_id: str = Field(index=True, foreign_key="consultation.id")
    author_name: str
    contact: str | None = None
    text: str
    kind: str  # comment | complaint
    filed_on: date
    filed_at: datetime
    state: str = "filed"  # filed | held | released
    hold_reason: str | None = None
    held_by: str | None = None
    held_at: datetime | None = None
    release_reason: str | None = None
    released_by: str | None = None
    released_at: datetime | None = None
