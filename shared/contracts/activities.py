"""What the workflows ask the tiers to do: the activity interfaces.

Each is implemented by the tier services (`services.kit.*.activities`), registered on every tier's
task queue (`Tier.task_queue`), except `BatchActivities`, which the workflow worker runs itself.
Workflows call them by reference (`workflow.execute_activity_method(NominationActivities.open_review,
...)`); an activity's name is its method's name, so implementations match by name and mypy checks
their signatures against these protocols.
"""

from collections.abc import Callable
from typing import Any, Protocol

from temporalio import activity

from shared.contracts.batch import OpenStepArgs, RecordDecisionsArgs, RecordSubmissionsArgs, StepOpened
from shared.contracts.nomination import (
    Clock,
    ClockArgs,
    ClockEventArgs,
    ClockEventResult,
    IntakeArgs,
    IntakeResult,
    OpenReviewArgs,
    PlannedTransfer,
    PlanTransferArgs,
    RecordDecisionArgs,
    RecordSubmissionArgs,
    RecordTransferArgs,
    RecordWithdrawalArgs,
)
from shared.contracts.reorganization import (
    ApplyPlanArgs,
    ClosingArgs,
    FindInFlightArgs,
    OutcomeRow,
    PredecessorReference,
    QueueArgs,
    RecordOutcomesArgs,
    RecordSuccessionArgs,
    ReferencePageArgs,
    TransferBatchArgs,
)


class NominationActivities(Protocol):
    """The state rows of a nomination: each one transaction of state row, audit record and event."""

    @activity.defn
    async def record_submission(self, args: RecordSubmissionArgs) -> None: ...

    @activity.defn
    async def open_review(self, args: OpenReviewArgs) -> None: ...

    @activity.defn
    async def record_decision(self, args: RecordDecisionArgs) -> None: ...

    @activity.defn
    async def record_withdrawal(self, args: RecordWithdrawalArgs) -> None: ...


class BatchStepActivities(Protocol):
    """Many awardees of one tờ trình at once, each as its single activity records it (decision 0042)."""

    @activity.defn
    async def record_submissions(self, args: RecordSubmissionsArgs) -> None: ...

    @activity.defn
    async def open_step(self, args: OpenStepArgs) -> list[StepOpened]: ...

    @activity.defn
    async def record_decisions(self, args: RecordDecisionsArgs) -> None: ...


class LifecycleActivities(Protocol):
    """A step's intake and clock: the tier that holds the review owns the rules and the records."""

    @activity.defn
    async def check_intake(self, args: IntakeArgs) -> IntakeResult: ...

    @activity.defn
    async def start_clock(self, args: ClockArgs) -> Clock: ...

    @activity.defn
    async def record_clock_event(self, args: ClockEventArgs) -> ClockEventResult: ...


class TransferActivities(Protocol):
    """Moving one nomination to a successor authority after a reorganization."""

    @activity.defn
    async def plan_transfer(self, args: PlanTransferArgs) -> PlannedTransfer: ...

    @activity.defn
    async def record_transfer(self, args: RecordTransferArgs) -> None: ...


class ReorganizationActivities(Protocol):
    """A plan at one tier: its registry replica, its nominations in flight, central's report."""

    @activity.defn
    async def apply_plan(self, args: ApplyPlanArgs) -> dict[str, Any]: ...

    @activity.defn
    async def find_in_flight(self, args: FindInFlightArgs) -> list[str]: ...

    @activity.defn
    async def preview_in_flight(self, args: FindInFlightArgs) -> list[OutcomeRow]: ...

    @activity.defn
    async def record_outcomes(self, args: RecordOutcomesArgs) -> dict[str, int]: ...

    @activity.defn
    async def queue_candidates(self, args: QueueArgs) -> int: ...

    @activity.defn
    async def next_queued(self, args: QueueArgs) -> list[str]: ...


class SuccessionActivities(Protocol):
    """A retired agency's log closed at its service, and referenced by its successors' (decision 0039)."""

    @activity.defn
    async def close_agency_logs(self, args: ClosingArgs) -> dict[str, Any]: ...

    @activity.defn
    async def final_references(self, args: ReferencePageArgs) -> list[PredecessorReference]: ...

    @activity.defn
    async def record_successions(self, args: RecordSuccessionArgs) -> int: ...


class BatchActivities(Protocol):
    """Run by the workflow worker: `transfer` updates to a batch of nomination workflows."""

    @activity.defn
    async def transfer_batch(self, args: TransferBatchArgs) -> list[OutcomeRow]: ...


def bound(interface: type, implementation: object) -> list[Callable[..., Any]]:
    """The implementation's methods for every activity the interface declares, to register on a worker."""
    return [getattr(implementation, name) for name in vars(interface) if not name.startswith("_")]
