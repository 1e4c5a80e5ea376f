"""The state rows of a nomination at this service: the proposer's dossier and each level's review."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class Nomination(SQLModel, table=True):
    """The proposer's dossier (hồ sơ đề nghị khen thưởng) and its outcome as the proposer sees it."""

    __tablename__ = "nomination"

    id: str = Field(primary_key=True)
    proposer_agency: str = Field(index=True)
    nominee_name: str
    nominee_kind: str
    award_code: str
    reason: str
    status: str = Field(default="draft", index=True)
    created_by: str
    created_at: datetime
    submitted_at: datetime | None = None
    route: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outcome_at: datetime | None = None
    outcome_agency: str | None = None
    outcome_reason: str | None = None
    decision_no: str | None = None
    # The rules (issue 3): whose history is judged, under which mode and regime, and the verdict.
    nominee_id: str | None = Field(default=None, index=True)
    mode: str = "cong_trang"
    period_year: int | None = None
    movement_code: str | None = None
    achievement: str | None = None
    initiative_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    regime: str | None = None
    eligibility: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # When the event that set `status` happened (events from several services arrive out of order).
    status_at: datetime | None = None
    # The tờ trình proposing it with others (`proposal_batch`), if any.
    batch_id: str | None = Field(default=None, index=True)
    # What statistics need about an individual (shared/rules/data/people.yaml): position category,
    # sex, ethnicity (the General Statistics Office's code).
    nominee_position: str | None = None
    nominee_sex: str | None = None
    nominee_ethnicity: str | None = None


class Review(SQLModel, table=True):
    """A nomination pending at (or decided by) one agency of this tier: the tier's state row."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("nomination_id", "step", "visit"),
        # The inbox: one agency's reviews in a status, by deadline; the agency's proposers.
        Index("ix_review_inbox", "agency_code", "status", "due_on"),
        Index("ix_review_agency_proposer", "agency_code", "proposer_agency"),
        # One nomination's reviews at one agency (decisions, the nomination page): without it SQLite
        # may walk the agency's whole inbox.
        Index("ix_review_nomination_agency", "nomination_id", "agency_code"),
        # The inbox filtered by the nominee's kind, and an officer's "assigned to me", by deadline.
        Index("ix_review_inbox_kind", "agency_code", "status", "nominee_kind", "due_on"),
        Index("ix_review_assignee", "agency_code", "assigned_to", "status", "due_on"),
        Index("ix_review_batch", "agency_code", "batch_no"),
        # A quyết định's awardees, and the agency's decisions.
        Index("ix_review_decision", "agency_code", "decision_no"),
    )

    id: int | None = Field(default=None, primary_key=True)
    nomination_id: str = Field(index=True)
    workflow_id: str
    agency_code: str = Field(index=True)
    step: int
    visit: int = 1
    status: str = Field(default="pending", index=True)
    award_code: str
    nominee_name: str
    # `nominee_name` folded (no diacritics, lower case): the inbox finds "nguyen thi lan".
    nominee_search: str = Field(default="", index=True)
    proposer_agency: str
    # individual, collective or household; None for rows opened before reviews kept it (unknown).
    nominee_kind: str | None = None
    # Whose history the nomination concerns: reviewers on the route may read it.
    nominee_id: str | None = Field(default=None, index=True)
    route: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    opened_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision_no: str | None = None  # a conferral's quyết định, and its day (the level's business date)
    decided_on: date | None = None
    reason: str | None = None
    regime: str | None = None
    mode: str | None = None
    # The eligibility verdict computed at submission, shown to reviewers at every level.
    eligibility: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # The dossier's manifest as it reached this level (DocumentRef fields): the documents its
    # officers may read from the object store, by SHA-256.
    documents: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The step's clock (issue 4): deadline, hold, escalation; the officer the item is assigned to
    # (by a colleague from the inbox, or to a substitute at expiry).
    due_on: date | None = None
    held: bool = False
    escalated: str | None = None
    assigned_to: str | None = None
    # The number of the proposer's tờ trình that proposed it with others, if any.
    batch_no: str | None = None


class ProposalBatch(SQLModel, table=True):
    """A tờ trình proposing many nominees at once: a numbered batch of the proposer's nominations.
    Each nominee stays its own nomination (its own verdict, outcome and audit trail); the batch is
    what they share on the way up (`Review.batch_no`) and what a level may decide on together."""

    __tablename__ = "proposal_batch"
    __table_args__ = (UniqueConstraint("proposer_agency", "number"),)

    id: str = Field(primary_key=True)
    proposer_agency: str = Field(index=True)
    number: str  # số tờ trình, e.g. 12/TTr-SNV
    title: str
    created_by: str
    created_at: datetime
    submitted_at: datetime | None = None
