"""NominationWorkflow: one per nomination, routing it level by level to the conferring authority.

Human decisions arrive as updates whose validators (`validation.py`) reject what is not allowed
now; the accepted decision is written by an activity on the deciding tier's task queue (state row,
audit record and outbox event in one transaction). Status is a query. The step's clock lives in
`clock.py`, re-routing after a reorganization in `transfers.py`, the shared state in `state.py`.
"""

import dataclasses

from temporalio import workflow

from workflows.nomination.clock import StepClock
from workflows.nomination.transfers import Transfers
from workflows.nomination.validation import being_recorded, check_decision, check_hold, check_resubmit, check_withdraw

with workflow.unsafe.imports_passed_through():
    from shared.contracts.activities import LifecycleActivities, NominationActivities
    from shared.contracts.intake import intake_return
    from shared.contracts.nomination import (
        DECIDE,
        DECISION_STATUS,
        HOLD,
        RELEASE,
        RESUBMIT,
        STATUS_QUERY,
        TRANSFER,
        WITHDRAW,
        WORKFLOW,
        DecisionInput,
        DecisionResult,
        HistoryEntry,
        HoldInput,
        IntakeArgs,
        NominationInput,
        NominationStatus,
        OpenReviewArgs,
        RecordDecisionArgs,
        RecordSubmissionArgs,
        RecordWithdrawalArgs,
        ResubmitInput,
        TransferInput,
        TransferOutcome,
        WithdrawInput,
    )

# workflow.patched marker: runs started before the lifecycle (intake, clocks, holds) replay as
# they ran; new runs take the new path (tests/unit/workflows/test_replay.py guards this).
LIFECYCLE = "lifecycle-v1"


@workflow.defn(name=WORKFLOW)
class NominationWorkflow(StepClock, Transfers):
    @workflow.run
    async def run(self, nomination: NominationInput) -> NominationStatus:
        self.nomination_input = nomination
        escalated_from: str | None = None
        returned, resume = False, None
        if nomination.carried is not None:  # a new run of a long-lived nomination: no new submission
            escalated_from = self.restore(nomination.carried)
            # Split off a tờ trình's workflow: returned, or pending at a step with its review open.
            returned, resume = nomination.carried.returned, nomination.carried.resume
            nomination.carried = None
        else:
            await self.run_activity(
                NominationActivities.record_submission,
                nomination.route[0].tier,
                RecordSubmissionArgs(self.facts, self.wf_id, f"{self.wf_id}:submitted"),
            )
        if returned:
            await self.with_proposer()
            if self.withdrawn:
                return await self.end("withdrawn")
        first = True
        while True:
            if (
                workflow.patched(LIFECYCLE)
                and not first
                and workflow.info().get_current_history_length() > nomination.history_limit
            ):
                # Between steps: nothing is being recorded. Let running handlers finish, then roll over.
                await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self.claimed)
                workflow.continue_as_new(self.carry(escalated_from))
            first = False
            if resume is not None:  # its review at this step is open already, its clock running
                visit = resume.visit
            else:
                visit = self.visits[self.step] = self.visits.get(self.step, 0) + 1
                await self.open_step(visit, escalated_from)
            escalated_from = None
            if workflow.patched(LIFECYCLE):
                if resume is None and not await self.intake(nomination, visit):
                    if self.withdrawn:
                        return await self.end("withdrawn")
                    continue  # resubmitted with the supplement: intake again at the same step
                waited, resume = await self.await_decision(visit, resume), None
                if waited == "escalated":
                    escalated_from = nomination.route[self.step - 1].agency_code
                    continue
            else:
                self.state = "pending"
                await workflow.wait_condition(
                    lambda: self.decided is not None or self.arrived_by is not None or self.withdrawn
                )
            if self.withdrawn:
                return await self.end("withdrawn")
            if self.decided is None:  # transferred to a successor agency: open a review there
                continue
            decision, self.decided = self.decided, None
            if decision.action == "forward":
                self.step += 1
                continue
            if decision.action == "return":
                await self.with_proposer()
                if self.withdrawn:
                    return await self.end("withdrawn")
                continue
            self.state = DECISION_STATUS[decision.action]
            await workflow.wait_condition(workflow.all_handlers_finished)
            return self.status()

    async def open_step(self, visit: int, escalated_from: str | None) -> None:
        """The review at the current step (a transfer's or an escalation's arrival noted on it)."""
        nomination = self.nomination
        # The inbox row exists once open_review commits, a moment before this workflow learns
        # it did: a decision arriving then is accepted and waits for "pending".
        self.state = "opening"
        arrived, self.arrived_by = self.arrived_by, None
        await self.run_activity(
            NominationActivities.open_review,
            self.current.tier,
            OpenReviewArgs(
                nomination,
                self.wf_id,
                self.step,
                visit,
                f"{self.wf_id}:{self.step}:{visit}:open",
                transferred_from=arrived.from_agency if arrived else None,
                plan_code=arrived.plan_code if arrived else None,
                legal_basis=arrived.legal_basis if arrived else None,
                escalated_from=escalated_from,
            ),
        )

    async def with_proposer(self) -> None:
        """Returned for supplement: wait for the proposer's resubmission (or withdrawal), timing it."""
        if self.state != "resubmitting":  # the proposer may already be resubmitting (decide set "returned")
            self.state = "returned"
        self.returns += 1
        since = workflow.now()
        await workflow.wait_condition(lambda: self.resubmitted or self.withdrawn)
        self.seconds_with_proposer += (workflow.now() - since).total_seconds()
        self.resubmitted = False

    async def intake(self, nomination: NominationInput, visit: int) -> bool:
        """The receiving agency checks the dossier; an incomplete one goes back with the exact list."""
        current = self.current
        if current.agency_code == nomination.proposer_agency:
            return True
        result = await self.run_activity(
            LifecycleActivities.check_intake, current.tier, IntakeArgs(nomination, self.wf_id, self.step, visit)
        )
        if not result.missing:
            return True
        now = workflow.now().isoformat()
        await self.run_activity(
            NominationActivities.record_decision,
            current.tier,
            intake_return(self.facts, self.wf_id, self.wf_id, self.step, visit, now, result.missing, result.message),
        )
        self.history.append(HistoryEntry(self.step, current.agency_code, "return", "system", now, result.message))
        await self.with_proposer()
        return False

    async def end(self, state: str) -> NominationStatus:
        self.state = state
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.status()

    @workflow.update(name=DECIDE.name)
    async def decide(self, decision: DecisionInput) -> DecisionResult:
        nomination = self.nomination
        if self.claimed:
            raise being_recorded()
        self.claimed = True
        await workflow.wait_condition(lambda: self.state == "pending")
        self.state = "recording"
        step, visit = self.step, self.visits[self.step]
        next_agency = nomination.route[step + 1].agency_code if decision.action == "forward" else None
        await self.run_activity(
            NominationActivities.record_decision,
            decision.tier,
            RecordDecisionArgs(
                nomination=self.facts,
                workflow_id=self.wf_id,
                step=step,
                visit=visit,
                decision=decision,
                next_agency=next_agency,
                idempotency_key=f"{self.wf_id}:{step}:{visit}:decision",
                decided_at=workflow.now().isoformat(),
            ),
        )
        self.history.append(
            HistoryEntry(
                step,
                decision.agency_code,
                decision.action,
                decision.officer_id,
                workflow.now().isoformat(),
                decision.reason,
            )
        )
        if decision.action == "forward" and decision.documents:
            nomination.documents = [*nomination.documents, *decision.documents]
        self.decided = decision
        self.claimed = False
        if decision.action == "return":
            self.state = "returned"  # the proposer may resubmit as soon as it hears of the return
        return DecisionResult(
            nomination.nomination_id,
            decision.action,
            decision.agency_code,
            step,
            DECISION_STATUS[decision.action],
            next_agency,
        )

    @decide.validator
    def validate_decision(self, decision: DecisionInput) -> None:
        check_decision(self, decision)

    @workflow.update(name=RESUBMIT.name)
    async def resubmit(self, request: ResubmitInput) -> NominationStatus:
        nomination = self.nomination
        self.state = "resubmitting"
        if request.documents is not None:  # the supplement: the proposer's documents as they now are
            proposer = nomination.proposer_agency
            nomination.documents = [
                *(d for d in nomination.documents if d.agency_code != proposer),
                *request.documents,
            ]
        await self.run_activity(
            NominationActivities.record_submission,
            nomination.route[0].tier,
            RecordSubmissionArgs(
                self.facts,
                self.wf_id,
                f"{self.wf_id}:resubmitted:{len(self.history)}",
                resubmission=True,
                reason=request.reason,
            ),
        )
        self.resubmitted = True
        return self.status()

    @resubmit.validator
    def validate_resubmit(self, request: ResubmitInput) -> None:
        check_resubmit(self, request)

    @workflow.update(name=WITHDRAW.name)
    async def withdraw(self, request: WithdrawInput) -> NominationStatus:
        """The proposer withdraws the nomination before a decision on it; the workflow ends."""
        nomination = self.nomination
        self.claimed = True
        await workflow.wait_condition(lambda: self.state in ("pending", "returned") and not self.transferring)
        step, visit, current = self.step, self.visits.get(self.step, 1), self.current
        now = workflow.now().isoformat()
        key = f"{self.wf_id}:withdrawn"
        withdrawal = RecordWithdrawalArgs(
            nomination, self.wf_id, step, visit, current.agency_code, request.officer_id, request.reason, "", now
        )
        if self.state == "pending" and current.agency_code != nomination.proposer_agency:
            await self.run_activity(
                NominationActivities.record_withdrawal,
                current.tier,
                dataclasses.replace(withdrawal, idempotency_key=f"{key}:{current.agency_code}"),
            )
        await self.run_activity(
            NominationActivities.record_withdrawal,
            nomination.route[0].tier,
            dataclasses.replace(
                withdrawal,
                agency_code=nomination.proposer_agency,
                idempotency_key=f"{key}:{nomination.proposer_agency}",
                announce=True,
            ),
        )
        self.history.append(
            HistoryEntry(step, nomination.proposer_agency, "withdraw", request.officer_id, now, request.reason)
        )
        self.withdrawn, self.claimed = True, False
        self.state = "withdrawn"
        return self.status()

    @withdraw.validator
    def validate_withdraw(self, request: WithdrawInput) -> None:
        check_withdraw(self, request)

    @workflow.update(name=TRANSFER.name)
    async def transfer(self, request: TransferInput) -> TransferOutcome:
        """Re-route after a reorganization: the current and queued steps move to successor agencies.

        Idempotent per plan: a second transfer for the same plan returns the first outcome. The
        submission date, regime and decided steps are kept; the old and the new agency each write
        an audit record with the plan's legal basis.
        """
        nomination_id = self.nomination.nomination_id
        if request.plan_code in self.transfers:
            return self.transfers[request.plan_code]
        if self.state in ("conferred", "refused"):
            return TransferOutcome(nomination_id, "final", self.current.agency_code, detail=self.state)
        await workflow.wait_condition(
            lambda: self.state in ("pending", "returned") and not self.claimed and not self.transferring
        )
        self.transferring = True
        try:
            return await self.move(request)
        finally:
            self.transferring = False

    @workflow.update(name=HOLD.name)
    async def hold(self, request: HoldInput) -> NominationStatus:
        """A complaint or an investigation stops the step's clock; decisions wait for the release."""
        await self.record_hold(request, "hold")
        self.held, self.hold_reason = True, request.reason
        return self.status()

    @hold.validator
    def validate_hold(self, request: HoldInput) -> None:
        check_hold(self, request, holding=True)

    @workflow.update(name=RELEASE.name)
    async def release(self, request: HoldInput) -> NominationStatus:
        await self.record_hold(request, "release")
        self.held, self.hold_reason = False, None
        return self.status()

    @release.validator
    def validate_release(self, request: HoldInput) -> None:
        check_hold(self, request, holding=False)

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> NominationStatus:
        return self.snapshot()
