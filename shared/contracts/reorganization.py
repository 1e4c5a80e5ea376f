"""The ReorganizationWorkflow's messages: its input and status, and its activities' arguments and results."""

from dataclasses import dataclass, field

WORKFLOW = "ReorganizationWorkflow"
BUSINESS_DATE_SIGNAL = "business_date"  # a service's business date (ISO): the plan waits for its effective date
STATUS_QUERY = "status"
# The plan is applied (every transfer recorded) in these phases; in "deferred" the workflow still
# closes, as their business ends, the logs of retired agencies that had business open (0039).
APPLIED = ("deferred", "done")


def workflow_id_for(plan_code: str) -> str:
    """One workflow per plan: applying a plan twice finds the first run."""
    return f"reorganization-{plan_code}"


@dataclass
class ReorganizationInput:
    plan_code: str
    effective: str  # ISO date the plan takes effect
    legal_basis: str
    today: str  # the business date the apply was requested on (ISO)
    batch_size: int = 100
    concurrency: int = 8  # transfers in flight at once within a batch
    pause_seconds: float = 0.0  # between batches: a rate limit for busy systems
    # How often the logs of retired agencies still deferred are tried again, once the plan is applied.
    recheck_seconds: float = 3600.0
    # Preview only: where each nomination in flight would go; nothing is applied or moved.
    dry_run: bool = False
    preview_key: str = ""  # where a dry run's per-nomination rows are kept
    # Carried over continue-as-new: what is left to do and what was done.
    phase: str = "waiting"
    pending_ids: list[str] = field(default_factory=list)  # runs started before paging carried every id
    counts: dict[str, int] = field(default_factory=dict)
    applied: list[dict] = field(default_factory=list)
    candidates: int = 0
    # Paging: the candidates are queued in central's outcome table, the workflow keeps a cursor.
    paged: bool = False
    cursor: str = ""
    # Per tier: the retired agencies' logs closed there and their successors' references (decision 0039).
    succession: dict[str, dict] = field(default_factory=dict)


@dataclass
class ReorganizationStatus:
    plan_code: str
    effective: str
    phase: str  # waiting | applying | finding | transferring | closing | deferred | done
    applied: list[dict]
    candidates: int
    processed: int
    counts: dict[str, int]
    succession: dict[str, dict] = field(default_factory=dict)  # per tier: logs closed, referenced, deferred


@dataclass
class ApplyPlanArgs:
    plan_code: str
    idempotency_key: str


@dataclass
class FindInFlightArgs:
    plan_code: str
    effective: str
    after: str = ""  # page: ids greater than this ...
    limit: int = 0  # ... at most this many (0: all)


@dataclass
class QueueArgs:
    """Central's queue of a plan's candidates: add a page of them, or take the next page."""

    plan_code: str
    nomination_ids: list[str] = field(default_factory=list)
    after: str = ""
    limit: int = 0


@dataclass
class TransferBatchArgs:
    plan_code: str
    effective: str
    legal_basis: str
    nomination_ids: list[str]
    concurrency: int = 8


@dataclass
class OutcomeRow:
    nomination_id: str
    outcome: str
    from_agency: str
    to_agency: str | None = None
    rule: str | None = None
    detail: str | None = None


@dataclass
class RecordOutcomesArgs:
    plan_code: str
    outcomes: list[OutcomeRow]


@dataclass
class ClosingArgs:
    """Close the logs of the agencies the plan retired that this tier hosts, after every transfer."""

    plan_code: str
    effective: str
    legal_basis: str


@dataclass
class ReferencePageArgs:
    """The final cosigned checkpoints of a page of the agencies a tier closed: in the order their logs
    were closed (closing records after the log position `after_seq`), so that a later round's pages
    hold only the agencies closed since; runs started before that page by code, after `after`."""

    plan_code: str
    effective: str
    after: str = ""
    limit: int = 50
    after_seq: int | None = None


@dataclass
class PredecessorReference:
    """A retired agency, its successors (code and tier) and the reference to its final cosigned
    checkpoint (`shared/platform/succession.py`: the closing record anchored in the checkpoint)."""

    agency: str
    successors: list[dict[str, str]]
    reference: dict


@dataclass
class RecordSuccessionArgs:
    plan_code: str
    legal_basis: str
    references: list[PredecessorReference]
