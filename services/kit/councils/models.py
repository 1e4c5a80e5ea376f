"""Councils (Hội đồng TĐKT), their dated rosters, meetings and secret ballots."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Council(SQLModel, table=True):
    """One agency's emulation and commendation council (Hội đồng Thi đua - Khen thưởng)."""

    __tablename__ = "council"

    id: str = Field(primary_key=True)
    agency_code: str = Field(index=True)
    name: str
    # Shares such as "2/3"; None means the ballots.yaml rule for the council's level and agency.
    quorum: str | None = None
    # For awards whose ballot is not mandatory: "majority" (more than half of total members) or a share.
    default_threshold: str = "majority"
    created_by: str
    created_at: datetime


class CouncilMember(SQLModel, table=True):
    """One period of one officer on a council; `ends_on` is the last day on it (inclusive)."""

    __tablename__ = "council_member"

    id: int | None = Field(default=None, primary_key=True)
    council_id: str = Field(index=True, foreign_key="council.id")
    officer_id: str = Field(index=True)
    name: str
    position: str  # chair | vice_chair | member | secretary
    starts_on: date
    ends_on: date | None = None


class CouncilMeeting(SQLModel, table=True):
    """A session of a council on one date, with who is in the room (absentees vote in writing)."""

    __tablename__ = "council_meeting"

    id: str = Field(primary_key=True)
    council_id: str = Field(index=True, foreign_key="council.id")
    agency_code: str = Field(index=True)
    held_on: date
    present: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: str
    created_at: datetime


class CouncilItem(SQLModel, table=True):
    """One nomination on a meeting's agenda and its ballot rule, frozen when the meeting is set."""

    __tablename__ = "council_item"
    __table_args__ = (UniqueConstraint("meeting_id", "nomination_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: str = Field(index=True, foreign_key="council_meeting.id")
    nomination_id: str = Field(index=True)
    award_code: str
    nominee_name: str
    threshold: str  # share of total members, "9/10"
    quorum: str
    max_rounds: int
    after_last_round: str
    basis: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    round: int = 1
    # voting | second_round_due | chair_decision_due | concluded
    state: str = "voting"
    outcome: str | None = None  # passed | failed | chair_passed | chair_refused
    passed: bool | None = None
    chair_reason: str | None = None
    concluded_at: datetime | None = None


class BallotRound(SQLModel, table=True):
    """One round of an item's ballot: attendance, and once closed the published tally (counts only)."""

    __tablename__ = "ballot_round"
    __table_args__ = (UniqueConstraint("item_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(index=True, foreign_key="council_item.id")
    round: int
    present: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tally: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    closed_at: datetime | None = None


class BallotVoter(SQLModel, table=True):
    """That a member has voted in a round: no choice, no time."""

    __tablename__ = "ballot_voter"

    item_id: int = Field(primary_key=True)
    round: int = Field(primary_key=True)
    officer_id: str = Field(primary_key=True)


class BallotVote(SQLModel, table=True):
    """A ballot: the SHA-256 of its receipt and the choice; no voter, no time."""

    __tablename__ = "ballot_vote"

    receipt_sha256: str = Field(primary_key=True)
    item_id: int = Field(index=True)
    round: int
    yes: bool
