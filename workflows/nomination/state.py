"""What a NominationWorkflow remembers, and how it runs an activity.

The workflow class (`workflows.py`) and its parts (`clock.py`, `transfers.py`) share this state;
`validation.py` reads it to decide what is allowed now. A long-lived nomination carries it into its
next run (continue-as-new) as `Carried`.
"""

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from shared.contracts.nomination import (
        Carried,
        Clock,
        DecisionInput,
        HistoryEntry,
        NominationInput,
        NominationStatus,
        RecordTransferArgs,
        RouteStep,
        TransferOutcome,
    )
    from shared.contracts.tiers import Tier

A = TypeVar("A")
R = TypeVar("R")

ACTIVITY_TIMEOUT = timedelta(seconds=30)
RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=10))


class NominationState:
    def __init__(self) -> None:
        self.nomination_input: NominationInput | None = None
        # starting → opening → pending → recording → … ; returned / resubmitting while with the
        # proposer; conferred, refused or withdrawn at the end.
        self.state = "starting"
        self.step = 0
        self.visits: dict[int, int] = {}
        self.decided: DecisionInput | None = None
        self.resubmitted = False
        self.claimed = False  # a decision or withdrawal is being recorded
        self.history: list[HistoryEntry] = []
        # Re-routing after a reorganization: outcomes by plan (a transfer is never repeated), and
        # the transfer the main loop must open a review for.
        self.transfers: dict[str, TransferOutcome] = {}
        self.transferring = False
        self.arrived_by: RecordTransferArgs | None = None
        self.withdrawn = False
        # The lifecycle: holds stop the step's clock; returns and time with the proposer.
        self.held = False
        self.hold_reason: str | None = None
        self.holds = 0
        self.clock: Clock | None = None
        self.returns = 0
        self.seconds_with_proposer = 0.0
        self.escalations = 0
        self.runs = 1

    @property
    def nomination(self) -> NominationInput:
        assert self.nomination_input is not None, "the workflow has started"
        return self.nomination_input

    @property
    def facts(self) -> NominationInput:
        """The nomination as an activity that records a step takes it: the eligibility verdict cut
        to its outcome. Only the opening of a review stores the whole verdict (for the level's
        officers); the other steps' inputs would carry its kilobytes for no reader, once per
        awardee of a batch (decision 0048)."""
        nomination = self.nomination
        if nomination.eligibility is None:
            return nomination
        return dataclasses.replace(nomination, eligibility={"outcome": nomination.eligibility.get("outcome")})

    @property
    def wf_id(self) -> str:
        return workflow.info().workflow_id

    @property
    def current(self) -> RouteStep:
        return self.nomination.route[self.step]

    async def run_activity(
        self, activity: Callable[[Any, A], Awaitable[R]], tier: str, arg: A, within: timedelta = ACTIVITY_TIMEOUT
    ) -> R:
        """Run one of `shared.contracts.activities`' methods on `tier`'s task queue."""
        return await workflow.execute_activity_method(
            activity,
            arg,
            task_queue=Tier(tier).task_queue,
            start_to_close_timeout=within,
            retry_policy=RETRY,
        )

    def snapshot(self) -> NominationStatus:
        nomination, clock = self.nomination, self.clock
        return NominationStatus(
            nomination.nomination_id,
            self.state,
            self.step,
            nomination.route,
            self.current.agency_code if self.state == "pending" else None,
            list(self.history),
            due_on=clock.due_on if clock is not None and clock.has_deadline and not self.held else None,
            held=self.held,
            returns=self.returns,
            seconds_with_proposer=self.seconds_with_proposer,
            escalations=self.escalations,
            runs=self.runs,
        )

    def carry(self, escalated_from: str | None) -> NominationInput:
        carried = Carried(
            step=self.step,
            visits=[[k, v] for k, v in sorted(self.visits.items())],
            history=list(self.history),
            transfers=dict(self.transfers),
            returns=self.returns,
            seconds_with_proposer=self.seconds_with_proposer,
            escalations=self.escalations,
            holds=self.holds,
            held=self.held,
            hold_reason=self.hold_reason,
            arrived_by=self.arrived_by,
            escalated_from=escalated_from,
            runs=self.runs + 1,
        )
        return dataclasses.replace(self.nomination, carried=carried)

    def restore(self, carried: Carried) -> str | None:
        self.step, self.visits = carried.step, {k: v for k, v in carried.visits}
        self.history, self.transfers = list(carried.history), dict(carried.transfers)
        self.returns, self.seconds_with_proposer = carried.returns, carried.seconds_with_proposer
        self.escalations, self.holds = carried.escalations, carried.holds
        self.held, self.hold_reason = carried.held, carried.hold_reason
        self.arrived_by, self.runs = carried.arrived_by, carried.runs
        return carried.escalated_from
