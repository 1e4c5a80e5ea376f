"""Tables every tier service has: registry replica, officers, dossiers, reviews, audit, outbox.

Each service owns its own database; these definitions are shared, the rows are not.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class Agency(SQLModel, table=True):
    """One version of an agency in the hierarchy registry. Codes are keys; names never are."""

    __tablename__ = "agency"
    __table_args__ = (UniqueConstraint("code", "valid_from"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True)
    name: str
    tier: str = Field(index=True)
    kind: str
    parent_code: str | None = Field(default=None, index=True)
    valid_from: date
    valid_to: date | None = None
    successors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    legal_basis: str | None = None
    # Grassroots units: the commune their office is in (a geographic hint for reorganizations).
    location_code: str | None = None


class Officer(SQLModel, table=True):
    __tablename__ = "officer"

    id: str = Field(primary_key=True)
    agency_code: str = Field(index=True)
    name: str
    role: str
    token_sha256: str = Field(unique=True)
    active: bool = True


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


class Document(SQLModel, table=True):
    __tablename__ = "document"

    id: str = Field(primary_key=True)
    nomination_id: str = Field(index=True, foreign_key="nomination.id")
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime


class LevelDocument(SQLModel, table=True):
    """A document a reviewing level adds to a dossier (its tờ trình, its council's minutes).

    Unlike `Document` (the proposer's dossier, tied to its own Nomination row), the nomination
    need not exist in this service's database: only reviews of it do.
    """

    __tablename__ = "level_document"

    id: str = Field(primary_key=True)
    nomination_id: str = Field(index=True)
    agency_code: str = Field(index=True)
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime
    uploaded_by: str


class Review(SQLModel, table=True):
    """A nomination pending at (or decided by) one agency of this tier: the tier's state row."""

    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("nomination_id", "step", "visit"),)

    id: int | None = Field(default=None, primary_key=True)
    nomination_id: str = Field(index=True)
    workflow_id: str
    agency_code: str = Field(index=True)
    step: int
    visit: int = 1
    status: str = Field(default="pending", index=True)
    award_code: str
    nominee_name: str
    proposer_agency: str
    route: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    opened_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None
    regime: str | None = None
    mode: str | None = None
    # The eligibility verdict computed at submission, shown to reviewers at every level.
    eligibility: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # The step's clock (issue 4): deadline, hold, escalation, and who it was reassigned to.
    due_on: date | None = None
    held: bool = False
    escalated: str | None = None
    assigned_to: str | None = None


class NomineeFact(SQLModel, table=True):
    """One fact of a nominee's history (rating, award, initiative, discipline, hold, …).

    History belongs to the person or organisation (``nominee_id``), never to an agency code, so it
    survives reorganizations. The owning service records facts; others receive them by events.
    ``fact_key`` (a hash of nominee and fact) makes recording and redelivery idempotent.
    """

    __tablename__ = "nominee_fact"

    id: int | None = Field(default=None, primary_key=True)
    fact_key: str = Field(unique=True)
    nominee_id: str = Field(index=True)
    kind: str
    fact: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source_agency: str
    recorded_by: str
    recorded_at: datetime


class AuditRecord(SQLModel, table=True):
    """Append-only, hash-chained: who did what, when, where, why, and with what outcome."""

    __tablename__ = "audit_record"

    seq: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True)
    at: datetime
    agency_code: str = Field(index=True)
    nomination_id: str | None = Field(default=None, index=True)
    actor: str
    action: str
    reason: str | None = None
    outcome: str
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str
    hash: str = Field(unique=True)


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True)
    topic: str
    key: str
    envelope: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime
    published_at: datetime | None = Field(default=None, index=True)


class ProcessedEvent(SQLModel, table=True):
    """Event ids a consumer has applied: redelivery of the same id is a no-op."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True)
    event_type: str
    processed_at: datetime


class PlanApplication(SQLModel, table=True):
    """A reorganization plan this service's registry replica has applied (once)."""

    __tablename__ = "plan_application"

    id: int | None = Field(default=None, primary_key=True)
    plan_code: str = Field(unique=True)
    applied_at: datetime
    summary: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class TransferOutcome(SQLModel, table=True):
    """What re-routing did to one nomination under one plan (the per-item report)."""

    __tablename__ = "transfer_outcome"
    __table_args__ = (UniqueConstraint("plan_code", "nomination_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_code: str = Field(index=True)
    nomination_id: str
    outcome: str = Field(index=True)
    from_agency: str
    to_agency: str | None = None
    rule: str | None = None
    detail: str | None = None
    recorded_at: datetime
