"""The BatchWorkflow's messages (decision 0042): a tờ trình's awardees that share a route travel as
one workflow; each keeps its own state, records and outcome; one that leaves the common path (a
return, today) goes on in its own NominationWorkflow, named as any nomination's.

Plain dataclasses, fields only ever added with defaults, as `nomination.py`.
"""

import hashlib
from dataclasses import dataclass, field

from shared.contracts.nomination import (
    Clock,
    DecisionInput,
    DecisionResult,
    NominationInput,
    NominationStatus,
    OpenReviewArgs,
    RecordDecisionArgs,
    RecordSubmissionArgs,
    Update,
)

BATCH_WORKFLOW = "BatchWorkflow"
# The most awardees one BatchWorkflow carries: every activity's input lists them all, and a payload
# must stay well under Temporal's 2 MB limit (a larger tờ trình starts one workflow per 200).
BATCH_MEMBERS = 200


def batch_workflow_id(proposer_agency: str, batch_no: str, route: list[str], part: int = 0) -> str:
    """One workflow per tờ trình, route (its agencies in order) and part of `BATCH_MEMBERS`
    awardees: a repeated start finds it."""
    digest = hashlib.sha256("/".join(route).encode()).hexdigest()[:12]
    return f"batch-{proposer_agency}-{batch_no}-{digest}" + (f"-{part}" if part else "")


@dataclass
class BatchInput:
    batch_no: str
    nominations: list[NominationInput]


@dataclass
class DecideItem:
    nomination_id: str
    decision: DecisionInput


@dataclass
class DecideManyInput:
    items: list[DecideItem]


@dataclass
class ItemOutcome:
    """One item of a decision on many: its result, or why it was refused (the single validator's words)."""

    nomination_id: str
    result: DecisionResult | None = None
    error: str | None = None
    kind: str | None = None


@dataclass
class DecideManyResult:
    outcomes: list[ItemOutcome]


@dataclass
class BatchStatus:
    batch_no: str
    step: int
    state: str  # opening | pending | ended
    members: list[NominationStatus]
    # Awardees that left the common path, by nomination id → their own workflow's id.
    split_off: dict[str, str] = field(default_factory=dict)

    def member(self, nomination_id: str) -> NominationStatus | None:
        return next((m for m in self.members if m.nomination_id == nomination_id), None)

    def workflow_of(self, nomination_id: str, own_id: str) -> str:
        """Where the awardee is decided now: the batch (`own_id`) or the workflow it went on in."""
        return self.split_off.get(nomination_id, own_id)


@dataclass
class SplitInput:
    """Take one awardee out of the batch into its own NominationWorkflow, from where it stands: what
    a service does before any act the batch does not take itself (a hold, a withdrawal, a transfer)."""

    nomination_id: str


@dataclass
class SplitResult:
    workflow_id: str  # the awardee's own workflow from now on (`nomination-<id>`)


DECIDE_MANY: Update[DecideManyInput, DecideManyResult] = Update("decide_many", DecideManyResult)
SPLIT: Update[SplitInput, SplitResult] = Update("split", SplitResult)
# Every awardee still travelling goes on alone (a reorganization transfers nominations one by one).
SPLIT_ALL: Update[None, int] = Update("split_all", int)
BATCH_STATUS_QUERY = "batch_status"
MEMBER_STATUS_QUERY = "member_status"  # one awardee's NominationStatus, by its nomination id
MEMBER_WORKFLOW_QUERY = "member_workflow"  # where an awardee is decided now: a workflow id


# The tiers' activities for many awardees at once (`BatchStepActivities`): one transaction each.


@dataclass
class RecordSubmissionsArgs:
    items: list[RecordSubmissionArgs]


@dataclass
class Arrival:
    """One awardee arriving at a step; `member` prefixes its idempotency keys (`<batch>/<id>`)."""

    review: OpenReviewArgs
    member: str


@dataclass
class OpenStepArgs:
    """The awardees arriving together at one step: each review opened, its dossier checked at
    intake (not at the proposer's own step) and, when complete, its clock started; an incomplete
    one is returned by the system, as the single workflow does."""

    items: list[Arrival]
    now: str  # workflow time (ISO): the clock's start and an intake return's time


@dataclass
class StepOpened:
    nomination_id: str
    clock: Clock | None = None  # None: returned at intake
    missing: list[str] = field(default_factory=list)
    message: str | None = None


@dataclass
class RecordDecisionsArgs:
    items: list[RecordDecisionArgs]
