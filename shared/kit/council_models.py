"""Tables and request bodies for councils (Hội đồng TĐKT), secret ballots and public consultation.

Ballot secrecy is a property of these tables, not of the code that reads them: `BallotVoter` says
*who has voted* and `BallotVote` says *which (receipt hash, choice) pairs were cast*; neither has
a timestamp, a sequence number or a column the other could be joined on, and `councils.py`
rewrites both sets in key order on every vote, so storage order and insertion transactions pair
nothing either (see `shared/rules/ballot.py` for the in-memory twin of this design).
"""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import ConfigDict
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.rules.ballot_rules import Share


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


# ---------------------------------------------------------------- request bodies


class CouncilIn(SQLModel):
    name: str = Field(min_length=1, max_length=300, schema_extra={"examples": ["Hội đồng Thi đua - Khen thưởng"]})
    quorum: Share | None = Field(default=None, description="Share of members present, e.g. '2/3'; None: ballots.yaml")
    default_threshold: Literal["majority"] | Share = Field(
        default="majority", description="For awards without a mandatory ballot: 'majority' (> half) or a share"
    )


class MemberIn(SQLModel):
    model_config = ConfigDict(populate_by_name=True)  # type: ignore[assignment]

    officer_id: str = Field(min_length=1, max_length=100)
    position: Literal["chair", "vice_chair", "member", "secretary"]
    starts_on: date = Field(alias="from")
    ends_on: date | None = Field(default=None, alias="to", description="Last day on the council (inclusive)")


class LeaveIn(SQLModel):
    on: date = Field(description="The first day the officer is no longer on the council")


class ItemIn(SQLModel):
    nomination_id: str = Field(min_length=1, max_length=100)
    award_code: str = Field(min_length=1, max_length=64)
    nominee_name: str = Field(min_length=1, max_length=300)


class MeetingIn(SQLModel):
    held_on: date
    items: list[ItemIn] = Field(min_length=1, max_length=200)
    present: list[str] = Field(max_length=500, description="Officer ids of the members in the room")


class VoteIn(SQLModel):
    vote: Literal["yes", "no"]
    written: bool = Field(default=False, description="A written vote from a member absent from the meeting")


class RoundIn(SQLModel):
    present: list[str] | None = Field(default=None, description="Attendance of round 2; default: the meeting's")


class ChairDecisionIn(SQLModel):
    passed: bool
    reason: str = Field(min_length=1, max_length=2000)


class ReceiptIn(SQLModel):
    receipt: str = Field(min_length=1, max_length=200)


class ConsultationIn(SQLModel):
    posted_on: date
    channel: str = Field(min_length=1, max_length=500, description="Where it is posted, e.g. the portal page URL")
    working_days: int | None = Field(default=None, ge=1, le=60, description="Default (and minimum): the catalog's")


class CommentIn(SQLModel):
    author_name: str = Field(min_length=1, max_length=200)
    contact: str | None = Field(default=None, max_length=200, description="Phone or e-mail, for a reply")
    text: str = Field(min_length=1, max_length=5000)
    kind: Literal["comment", "complaint"] = "comment"


class HoldIn(SQLModel):
    reason: str = Field(min_length=1, max_length=2000)
