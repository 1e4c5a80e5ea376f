"""The timeline's API models: the officer's view and the public one."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class AgencyRef(BaseModel):
    code: str
    name: str | None = None
    tier: str | None = None


class ReasonOut(BaseModel):
    at: datetime
    event: str = Field(description="nomination.returned, nomination.refused, award.revoked or award.stripped")
    agency: AgencyRef
    reason: str | None
    missing_documents: list[str] = Field(default_factory=list)


class TimelineItem(BaseModel):
    at: datetime
    event: str
    label: str = Field(description="Vietnamese label of the event")
    agency: AgencyRef
    step: int | None
    reason: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class OfficerTimelineItem(TimelineItem):
    actor: str = Field(description="Officer id, or 'system'")


class _Tracking(BaseModel):
    award_code: str
    proposer: AgencyRef
    state: str = Field(
        description="draft, submitted, in_review, returned, held, refused, withdrawn, conferred, revoked or stripped"
    )
    current_agency: AgencyRef | None = Field(description="Where the dossier is (the proposer while returned)")
    current_level: str | None = Field(description="Tier of the current agency")
    step: int | None = Field(description="Index of the current step on the route (0: the first)")
    steps: int = Field(description="Steps on the route")
    due_on: date | None = Field(description="Deadline of the current step; none while held or between steps")
    returns: int
    time_with_proposer_working_days: int = Field(
        description="Working days (Vietnamese calendar) the dossier spent with the proposer after returns"
    )
    reasons: list[ReasonOut] = Field(description="Every return, refusal and revocation, with its reasons")
    decision_no: str | None


class PublicTrackingOut(_Tracking):
    """What the nominee sees: no nominee name (a leaked code reveals no one), no officer ids."""

    code: str
    timeline: list[TimelineItem]


class TrackingOut(_Tracking):
    nomination_id: str
    nominee_name: str
    code: str | None = Field(description="None until the submission has been recorded")
    timeline: list[OfficerTimelineItem]
