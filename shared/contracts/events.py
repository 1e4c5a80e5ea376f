"""Domain events: one envelope, past-tense names, keyed by nomination id (or agency code).

Events evolve only by adding optional fields; `schema_version` says which shape a producer used.
The topics, the envelope and the base are in `envelope.py`, the emulation year's events in
`emulation.py`; all are imported here, where producers and consumers find them.
`docs/events.schema.json` is generated from these models (see tests/unit/test_event_schema.py).
"""

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from shared.contracts.audit import AuditCheckpointCosigned, AuditCheckpointSigned
from shared.contracts.emulation import (  # noqa: F401
    ClusterActAnswered,
    ClusterActRequested,
    MovementPublished,
    MovementRegistered,
)
from shared.contracts.envelope import (  # noqa: F401
    ALL_TOPICS,
    TOPIC_AUDIT,
    TOPIC_AWARDS,
    TOPIC_DEAD_LETTER,
    TOPIC_EMULATION,
    TOPIC_HIERARCHY,
    TOPIC_NOMINATIONS,
    TOPIC_NOMINEES,
    Envelope,
    Event,
)
from shared.contracts.people import IndividualProfile


class _NominationFact(Event):
    nomination_id: str
    award_code: str
    nominee_name: str
    proposer_agency: str
    agency_code: str
    step: int
    actor: str
    reason: str | None = None


class NominationSubmitted(_NominationFact):
    """Emitted when the proposer's clerk submits a dossier and its route is fixed."""

    type: ClassVar[str] = "nomination.submitted"
    route: list[dict[str, Any]] = Field(default_factory=list)
    regime: str | None = None
    mode: str | None = None
    eligibility_outcome: str | None = None


class NominationReceived(_NominationFact):
    """Emitted when a nomination arrives in an agency's inbox."""

    type: ClassVar[str] = "nomination.received"


class NominationForwarded(_NominationFact):
    """Emitted when an agency forwards a nomination to the next level of its route."""

    type: ClassVar[str] = "nomination.forwarded"
    to_agency: str


class NominationReturned(_NominationFact):
    """Emitted when an agency returns a nomination to the proposer for supplement."""

    type: ClassVar[str] = "nomination.returned"
    missing_documents: list[str] = Field(default_factory=list, description="Intake: what the dossier lacks")


class NominationResubmitted(_NominationFact):
    """Emitted when the proposer resubmits a returned nomination."""

    type: ClassVar[str] = "nomination.resubmitted"


class NominationRefused(_NominationFact):
    """Emitted when an agency refuses a nomination; the nomination ends there."""

    type: ClassVar[str] = "nomination.refused"


class NominationWithdrawn(_NominationFact):
    """Emitted when the proposer withdraws a nomination before a decision on it."""

    type: ClassVar[str] = "nomination.withdrawn"


class NominationTransferred(_NominationFact):
    """Emitted when a reorganization moves a nomination from the old agency to a successor agency."""

    type: ClassVar[str] = "nomination.transferred"
    to_agency: str
    plan_code: str
    rule: str
    route: list[dict[str, Any]] = Field(default_factory=list, description="The route after the transfer")


class AwardConferred(_NominationFact):
    """Emitted when the conferring authority confers the award (a decision is issued)."""

    type: ClassVar[str] = "award.conferred"
    topic: ClassVar[str] = TOPIC_AWARDS
    decision_no: str
    decided_on: str
    # Added with the rules (issue 3): what every holder of the nominee's history records.
    nominee_id: str | None = None
    mode: str | None = None
    period_year: int | None = None
    regime: str | None = None
    achievement: str | None = None
    initiative_ids: list[str] = Field(default_factory=list)
    # Issue 4: the form actually conferred (a lower form, where allowed), the signer and the bonus.
    conferred_award_code: str | None = None
    signer: str | None = None
    bonus_coefficient: float | None = None
    base_salary: int | None = None
    bonus_amount: int | None = None
    # Issue 12: what statistics need about the awardee (shared/rules/data/people.yaml).
    nominee_kind: str | None = None
    nominee_position: str | None = None
    nominee_sex: str | None = None
    nominee_ethnicity: str | None = None


class NomineeFactsRecorded(Event):
    """Emitted when the agency managing a nominee records facts of their history (ratings, awards,
    initiatives, discipline, holds, leave, service). Keyed by nominee id; every service applies it."""

    type: ClassVar[str] = "nominee.facts_recorded"
    topic: ClassVar[str] = TOPIC_NOMINEES
    nominee_id: str
    agency_code: str
    actor: str
    facts: list[dict[str, Any]]


class NomineeRegistered(Event, IndividualProfile):
    """Emitted when an agency registers a nominee it manages: its staff, a team or a body under it.
    Every service keeps who manages whom, so that only the manager records facts of the history."""

    type: ClassVar[str] = "nominee.registered"
    topic: ClassVar[str] = TOPIC_NOMINEES
    nominee_id: str
    kind: str
    name: str
    agency_code: str
    actor: str
    registered_at: str


class NomineeFactRetracted(Event):
    """Emitted when the agency that recorded a fact retracts it as recorded in error, with a reason.
    Keyed by nominee id like the facts, so every service applies it after the fact itself."""

    type: ClassVar[str] = "nominee.fact_retracted"
    topic: ClassVar[str] = TOPIC_NOMINEES
    nominee_id: str
    fact_key: str
    agency_code: str
    actor: str
    reason: str


class NomineePersonalErased(Event):
    """Emitted when the managing agency erases a nominee's erasable personal data (sex, ethnicity,
    the openings of the audit log's commitments): every service erases its own copies. No value."""

    type: ClassVar[str] = "nominee.personal_erased"
    topic: ClassVar[str] = TOPIC_NOMINEES
    nominee_id: str
    agency_code: str
    actor: str
    basis: str
    fields: list[str]
    # The nominations about the nominee the managing agency knows: copies kept by nomination id.
    nomination_ids: list[str] = Field(default_factory=list)


class HierarchyPlanApplied(Event):
    """Emitted when a tier's registry replica has applied a reorganization plan (once per tier)."""

    type: ClassVar[str] = "hierarchy.plan_applied"
    topic: ClassVar[str] = TOPIC_HIERARCHY
    plan_code: str
    effective: str
    tier: str
    closed: int
    opened: int
    moved_units: int
    ambiguous: int
    legal_basis: list[str] = Field(default_factory=list)


class AgencyRegistered(Event):
    """Emitted when an admin registers a grassroots body (a school, an enterprise, a sở…) under an
    agency in force; keyed by the body's code, every service adds the version to its registry replica."""

    type: ClassVar[str] = "hierarchy.agency_registered"
    topic: ClassVar[str] = TOPIC_HIERARCHY
    code: str
    name: str
    kind: str
    tier: str
    parent_code: str
    valid_from: str = Field(description="ISO date the body is in force from")
    location_code: str | None = Field(default=None, description="The commune its office is in")
    legal_basis: str | None = None
    agency_code: str = Field(description="The agency whose admin registered it")
    actor: str


class DeadlineSet(_NominationFact):
    """Emitted when a step's clock starts (or restarts after a hold): its deadline and reminder dates."""

    type: ClassVar[str] = "nomination.deadline_set"
    level: str
    step_kind: str
    working_days: int
    starts_on: str
    due_on: str
    reminders: list[str] = Field(default_factory=list, description="ISO dates of the reminders")
    on_expiry: str


class DeadlineReminder(_NominationFact):
    """Emitted when a configured share of a step's working time has been used."""

    type: ClassVar[str] = "nomination.reminded"
    due_on: str
    share_used: float


class NominationEscalated(_NominationFact):
    """Emitted when a step passes its deadline; `policy` says what was done about it."""

    type: ClassVar[str] = "nomination.escalated"
    due_on: str
    policy: str  # notify_head | reassign_substitute | escalate_next_level
    to_agency: str | None = None
    to_officer: str | None = None


class NominationUrged(_NominationFact):
    """Emitted when an officer urges (đôn đốc) the agency a nomination waits on: its own officers
    while it is pending there, the proposer while it is returned for a supplement."""

    type: ClassVar[str] = "nomination.urged"
    to_agency: str
    assigned_to: str | None = None


class NominationHeld(_NominationFact):
    """Emitted when a nomination is put on hold (complaint, investigation); its clock stops."""

    type: ClassVar[str] = "nomination.held"


class NominationReleased(_NominationFact):
    """Emitted when a hold is lifted; the step's clock restarts."""

    type: ClassVar[str] = "nomination.released"


class _AwardChange(Event):
    topic: ClassVar[str] = TOPIC_AWARDS
    nomination_id: str
    award_code: str
    nominee_name: str
    nominee_id: str | None = None
    proposer_agency: str
    agency_code: str = Field(description="The agency that took this decision")
    decision_no: str = Field(description="This decision's number")
    original_decision_no: str = Field(description="The conferral decision it changes")
    decided_on: str
    actor: str
    reason: str | None = None


class AwardRevoked(_AwardChange):
    """Emitted when a conferral is revoked (Law Art. 93): award and money are recovered."""

    type: ClassVar[str] = "award.revoked"
    ground: str = Field(description="Law Art. 93 ground: a, b, c or d")
    recovered_amount: int | None = None


class AwardStripped(_AwardChange):
    """Emitted when the President strips a state honorary title."""

    type: ClassVar[str] = "award.stripped"


class AwardRestored(_AwardChange):
    """Emitted when the President restores a stripped state honorary title."""

    type: ClassVar[str] = "award.restored"


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        NominationSubmitted,
        NominationReceived,
        NominationForwarded,
        NominationReturned,
        NominationResubmitted,
        NominationRefused,
        NominationTransferred,
        NominationWithdrawn,
        AwardConferred,
        NomineeFactsRecorded,
        NomineeRegistered,
        NomineeFactRetracted,
        NomineePersonalErased,
        HierarchyPlanApplied,
        AgencyRegistered,
        MovementPublished,
        MovementRegistered,
        ClusterActRequested,
        ClusterActAnswered,
        DeadlineSet,
        DeadlineReminder,
        NominationEscalated,
        NominationUrged,
        NominationHeld,
        NominationReleased,
        AwardRevoked,
        AwardStripped,
        AwardRestored,
        AuditCheckpointSigned,
        AuditCheckpointCosigned,
    )
}


# What each award-change event does to the award it names (shared by every service that keeps awards).
CHANGE_OF_EVENT = {AwardRevoked.type: "revoked", AwardStripped.type: "stripped", AwardRestored.type: "restored"}


def envelope_for(event: Event, *, source_agency: str, occurred_at: datetime, event_id: str | None = None) -> Envelope:
    payload = event.model_dump(mode="json")
    return Envelope(
        event_id=event_id or str(uuid.uuid4()),
        type=event.type,
        occurred_at=occurred_at,
        source_agency=source_agency,
        nomination_id=payload.get("nomination_id"),
        correlation_id=payload.get("nomination_id"),
        payload=payload,
    )


def parse_event(envelope: Envelope) -> Event:
    """Validate an envelope's payload against its type; unknown types raise KeyError."""
    return EVENT_TYPES[envelope.type].model_validate(envelope.payload)
