"""API models of councils, meetings and ballots."""

from typing import Literal

from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

from shared.rules.ballot_rules import Share
from shared.rules.days import Day


class CouncilIn(SQLModel):
    name: str = Field(min_length=1, max_length=300, schema_extra={"examples": ["Hội đồng Thi đua - Khen thưởng"]})
    quorum: Share | None = Field(default=None, description="Share of members present, e.g. '2/3'; None: ballots.yaml")
    default_threshold: Literal["majority"] | Share = Field(
        default="majority", description="For awards without a mandatory ballot: 'majority' (> half) or a share"
    )


class MemberIn(SQLModel):
    model_config = SQLModelConfig(populate_by_name=True)

    officer_id: str = Field(min_length=1, max_length=100)
    position: Literal["chair", "vice_chair", "member", "secretary"]
    starts_on: Day = Field(alias="from")
    ends_on: Day | None = Field(default=None, alias="to", description="Last day on the council (inclusive)")


class LeaveIn(SQLModel):
    on: Day = Field(description="The first day the officer is no longer on the council")


class ItemIn(SQLModel):
    nomination_id: str = Field(min_length=1, max_length=100)
    award_code: str = Field(min_length=1, max_length=64)
    nominee_name: str = Field(min_length=1, max_length=300)


class MeetingIn(SQLModel):
    held_on: Day
    items: list[ItemIn] = Field(min_length=1, max_length=200)
    present: list[str] = Field(max_length=500, description="Officer ids of the members in the room")


class VoteIn(SQLModel):
    vote: Literal["yes", "no"]
    written: bool = Field(default=False, description="A written vote from a member absent from the meeting")


class PaperVoteIn(SQLModel):
    nomination_id: str = Field(min_length=1, max_length=100)
    vote: Literal["yes", "no"]


class BallotPaperIn(SQLModel):
    """One member's paper over the meeting's agenda: a vote per item, each item once."""

    votes: list[PaperVoteIn] = Field(min_length=1, max_length=200)
    written: bool = Field(default=False, description="A written paper from a member absent from the meeting")


class CountIn(SQLModel):
    nomination_ids: list[str] = Field(min_length=1, max_length=200, description="The items whose open round to count")


class RoundIn(SQLModel):
    present: list[str] | None = Field(default=None, description="Attendance of round 2; default: the meeting's")


class ChairDecisionIn(SQLModel):
    passed: bool
    reason: str = Field(min_length=1, max_length=2000)


class ReceiptIn(SQLModel):
    receipt: str = Field(min_length=1, max_length=200)
