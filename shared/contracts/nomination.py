"""The NominationWorkflow's messages: its input, its updates and query, and its activities' arguments and results.

Plain dataclasses (no ORM objects, nothing with side effects). Fields are only ever added, with defaults,
so that histories recorded before them still decode.
"""

from dataclasses import dataclass, field
from typing import Generic, TypeVar

I = TypeVar("I")  # noqa: E741 (an update's input)
O = TypeVar("O")  # noqa: E741 (its result)

WORKFLOW = "NominationWorkflow"


def workflow_id_for(nomination_id: str) -> str:
    """One workflow per nomination, named after it: a repeated start finds the running one."""
    return f"nomination-{nomination_id}"


ACTIONS = ("forward", "return", "refuse", "confer")
# A level's decision → the state it leaves its review (and the workflow) in.
DECISION_STATUS = {"forward": "forwarded", "return": "returned", "refuse": "refused", "confer": "conferred"}


@dataclass(frozen=True)
class Update(Generic[I, O]):
    """An update the workflow answers to: its name, and the type of its result."""

    name: str
    result: type[O]


@dataclass
class DocumentRef:
    """One document of the dossier as the workflow carries it: where it is stored and its checksum."""

    kind: str
    agency_code: str
    document_id: str
    filename: str
    sha256: str
    size: int


@dataclass
class RouteStep:
    tier: str
    agency_code: str
    # The agency that may confer the proposed award sits at the last step.
    confers: bool = False
    # proposes | reviews | appraises | proposes_to_president | confers (shared/routing.py)
    role: str = "reviews"


@dataclass
class NominationInput:
    nomination_id: str
    award_code: str
    nominee_name: str
    proposer_agency: str
    submitted_by: str
    submitted_at: str
    route: list[RouteStep]
    # Added with the rules (issue 3); optional so histories recorded before them still decode.
    regime: str = ""
    mode: str = "cong_trang"
    nominee_id: str | None = None
    period_year: int | None = None
    eligibility: dict | None = None
    achievement: str | None = None
    initiative_ids: list[str] = field(default_factory=list)
    # Issue 4: the dossier's manifest (each level adds its documents when it forwards).
    documents: list[DocumentRef] = field(default_factory=list)
    nominee_kind: str = "individual"
    # Continue-as-new (issue 4): the state a long-lived nomination carries into its next run, and
    # the history length (events) at which it rolls over.
    carried: "Carried | None" = None
    history_limit: int = 2000
    # The number of the proposer's tờ trình when it proposes many nominees together.
    batch_no: str | None = None
    # What statistics need about an individual nominee (shared/rules/data/people.yaml).
    nominee_position: str | None = None
    nominee_sex: str | None = None
    nominee_ethnicity: str | None = None


@dataclass
class DecisionInput:
    action: str
    agency_code: str
    tier: str
    officer_id: str
    officer_role: str
    reason: str | None = None
    decision_no: str | None = None
    # The deciding service's business date (ISO): the date written on a conferral decision.
    decided_on: str | None = None
    # Issue 4: documents this level adds on forwarding (its tờ trình, its council's minutes) ...
    documents: list[DocumentRef] = field(default_factory=list)
    # ... on conferral: a lower form than proposed (catalog lower_forms), the signer, the bonus.
    conferred_award_code: str | None = None
    signer: str | None = None
    bonus: dict | None = None
    # Set when an officer acts under a delegation: whose role they exercise.
    on_behalf_of: str | None = None


@dataclass
class ResubmitInput:
    agency_code: str
    officer_id: str
    reason: str | None = None
    # The dossier after the supplement (replaces the manifest's proposer documents).
    documents: list[DocumentRef] | None = None


@dataclass
class HoldInput:
    """Put on hold (a complaint, an investigation) or release; holds stop the deadline clock."""

    agency_code: str
    officer_id: str
    reason: str
    source: str = "officer"  # officer | complaint | discipline


@dataclass
class DecisionResult:
    nomination_id: str
    action: str
    agency_code: str
    step: int
    state: str
    next_agency: str | None = None


@dataclass
class HistoryEntry:
    step: int
    agency_code: str
    action: str
    officer_id: str
    at: str
    reason: str | None = None


@dataclass
class NominationStatus:
    nomination_id: str
    state: str
    step: int
    route: list[RouteStep]
    pending_agency: str | None
    history: list[HistoryEntry] = field(default_factory=list)
    # Issue 4: the step's deadline, holds, and the dossier's returns to the proposer.
    due_on: str | None = None
    held: bool = False
    returns: int = 0
    seconds_with_proposer: float = 0.0
    escalations: int = 0
    runs: int = 1  # how many workflow runs (continue-as-new) the nomination has had


# Activity arguments: one dataclass each, so fields can be added without breaking histories.
@dataclass
class OpenReviewArgs:
    nomination: NominationInput
    workflow_id: str
    step: int
    visit: int
    idempotency_key: str
    # Set when the nomination arrives by transfer after a reorganization.
    transferred_from: str | None = None
    plan_code: str | None = None
    legal_basis: str | None = None
    # Set when the previous level let the deadline pass and the step moved up (issue 4).
    escalated_from: str | None = None


@dataclass
class RecordDecisionArgs:
    nomination: NominationInput
    workflow_id: str
    step: int
    visit: int
    decision: DecisionInput
    next_agency: str | None
    idempotency_key: str
    decided_at: str
    # Intake (issue 4): a return by the system lists what the dossier lacks.
    missing_documents: list[str] = field(default_factory=list)


@dataclass
class RecordSubmissionArgs:
    nomination: NominationInput
    workflow_id: str
    idempotency_key: str
    resubmission: bool = False
    reason: str | None = None


# Re-routing after a reorganization (issue 5).
@dataclass
class TransferInput:
    plan_code: str
    effective: str  # ISO date the plan takes effect
    legal_basis: str
    # A person's choice where the successor is ambiguous: retired agency code -> chosen successor.
    choices: dict[str, str] = field(default_factory=dict)


@dataclass
class TransferOutcome:
    nomination_id: str
    outcome: str  # transferred | unchanged | final | needs_choice
    from_agency: str
    to_agency: str | None = None
    rule: str | None = None
    detail: str | None = None
    candidates: list[str] = field(default_factory=list)


@dataclass
class PlanTransferArgs:
    nomination: NominationInput
    step: int
    plan_code: str
    effective: str
    choices: dict[str, str] = field(default_factory=dict)


@dataclass
class PlannedTransfer:
    changed: bool
    route: list[RouteStep]
    from_agency: str
    to_agency: str
    rule: str
    needs_choice: bool = False
    candidates: list[str] = field(default_factory=list)
    detail: str | None = None


@dataclass
class RecordTransferArgs:
    nomination: NominationInput
    workflow_id: str
    step: int
    visit: int
    plan_code: str
    legal_basis: str
    from_tier: str
    from_agency: str
    to_agency: str
    rule: str
    idempotency_key: str
    at: str
    pending: bool = True  # False when the nomination was with the proposer (returned)
    new_route: list[RouteStep] = field(default_factory=list)
    # The current agency stays (only queued steps changed): its review stays open.
    same_agency: bool = False


@dataclass
class WithdrawInput:
    agency_code: str
    officer_id: str
    reason: str | None = None


@dataclass
class RecordWithdrawalArgs:
    nomination: NominationInput
    workflow_id: str
    step: int
    visit: int
    agency_code: str  # where this record is written: the proposer, or the agency it was pending at
    officer_id: str
    reason: str | None
    idempotency_key: str
    at: str
    announce: bool = False  # the proposer's record emits the event


# The lifecycle (issue 4): intake, the step's clock, reminders, escalation, holds.
@dataclass
class IntakeArgs:
    nomination: NominationInput
    workflow_id: str
    step: int
    visit: int


@dataclass
class IntakeResult:
    level: str
    required: list[str]
    missing: list[str]
    message: str | None = None


@dataclass
class ClockArgs:
    nomination: NominationInput
    workflow_id: str
    step: int
    visit: int
    now: str  # workflow time (ISO); the tier maps it to its business date
    restart: int = 0  # 0: first start at this visit; n: restarted after the n-th release from hold


@dataclass
class Clock:
    """A step's deadline. Instants are seconds after the `now` the clock was started with."""

    has_deadline: bool
    level: str = ""
    step_kind: str = ""
    working_days: int = 0
    starts_on: str = ""
    due_on: str = ""
    on_expiry: str = ""
    reminder_shares: list[float] = field(default_factory=list)
    reminder_dates: list[str] = field(default_factory=list)
    reminder_after: list[float] = field(default_factory=list)
    expires_after: float = 0.0


@dataclass
class ClockEventArgs:
    """A reminder, an expiry (with the policy applied) or a hold/release, recorded at a tier."""

    nomination: NominationInput
    workflow_id: str
    step: int
    visit: int
    kind: str  # reminder | expiry | hold | release
    agency_code: str
    idempotency_key: str
    now: str
    due_on: str = ""
    share_used: float = 0.0
    policy: str = ""
    next_agency: str | None = None
    officer_id: str = "system"
    reason: str | None = None


@dataclass
class ClockEventResult:
    to_officer: str | None = None


@dataclass
class Resume:
    """Where a nomination split off a tờ trình's BatchWorkflow stands when it is pending at a step:
    its review is open (at `visit`) and its clock runs from `clock_started` (workflow time, ISO),
    `reminders_fired` of its reminders already sent."""

    visit: int
    clock: "Clock | None"
    clock_started: str
    reminders_fired: int = 0


@dataclass
class Carried:
    """What a nomination's next run needs: where it is and everything it must remember."""

    step: int
    visits: list[list[int]]  # [step, visits] pairs (JSON object keys would turn ints into strings)
    history: list[HistoryEntry]
    transfers: dict[str, TransferOutcome]
    returns: int = 0
    seconds_with_proposer: float = 0.0
    escalations: int = 0
    holds: int = 0
    held: bool = False
    hold_reason: str | None = None
    arrived_by: RecordTransferArgs | None = None
    escalated_from: str | None = None
    runs: int = 1
    # Split off a tờ trình's BatchWorkflow: just after a return (the run starts with the proposer),
    # or pending at a step (the run goes on waiting for that step's decision, with its clock).
    returned: bool = False
    resume: Resume | None = None


# The updates and the query of the NominationWorkflow: the client sends these, the workflow registers them.
DECIDE: Update[DecisionInput, DecisionResult] = Update("decide", DecisionResult)
RESUBMIT: Update[ResubmitInput, NominationStatus] = Update("resubmit", NominationStatus)
WITHDRAW: Update[WithdrawInput, NominationStatus] = Update("withdraw", NominationStatus)
HOLD: Update[HoldInput, NominationStatus] = Update("hold", NominationStatus)
RELEASE: Update[HoldInput, NominationStatus] = Update("release", NominationStatus)
TRANSFER: Update[TransferInput, TransferOutcome] = Update("transfer", TransferOutcome)
STATUS_QUERY = "status"
