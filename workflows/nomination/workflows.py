"""NominationWorkflow: one per nomination, routing it level by level to the conferring authority.

Human decisions arrive as updates whose validators reject what is not allowed now; the accepted
decision is written by an activity on the deciding tier's task queue (state row, audit record and
outbox event in one transaction). Status is a query.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from shared.tiers import Tier
    from workflows.nomination.inputs import (
        DecisionInput,
        DecisionResult,
        HistoryEntry,
        NominationInput,
        NominationStatus,
        OpenReviewArgs,
        PlannedTransfer,
        PlanTransferArgs,
        RecordDecisionArgs,
        RecordSubmissionArgs,
        RecordTransferArgs,
        RecordWithdrawalArgs,
        ResubmitInput,
        TransferInput,
        TransferOutcome,
        WithdrawInput,
    )

DECIDING_ROLES = ("chair", "admin")
ACTIVITY_TIMEOUT = timedelta(seconds=30)
RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=10))


def workflow_id_for(nomination_id: str) -> str:
    return f"nomination-{nomination_id}"


@workflow.defn(name="NominationWorkflow")
class NominationWorkflow:
    def __init__(self) -> None:
        self._input: NominationInput | None = None
        self._state = "starting"
        self._step = 0
        self._visit: dict[int, int] = {}
        self._decided: DecisionInput | None = None
        self._resubmitted = False
        self._claimed = False
        self._history: list[HistoryEntry] = []
        # Re-routing after a reorganization: outcomes by plan (a transfer is never repeated), and
        # the transfer the main loop must open a review for.
        self._transfers: dict[str, TransferOutcome] = {}
        self._transferring = False
        self._arrived_by: RecordTransferArgs | None = None
        self._withdrawn = False

    @workflow.run
    async def run(self, nomination: NominationInput) -> NominationStatus:
        self._input = nomination
        await self._activity(
            "record_submission",
            nomination.route[0].tier,
            RecordSubmissionArgs(nomination, self._wf_id, f"{self._wf_id}:submitted"),
        )
        while True:
            visit = self._visit[self._step] = self._visit.get(self._step, 0) + 1
            # The inbox row exists once open_review commits, a moment before this workflow learns
            # it did: a decision arriving then is accepted and waits for "pending".
            self._state = "opening"
            arrived, self._arrived_by = self._arrived_by, None
            await self._activity(
                "open_review",
                self._current.tier,
                OpenReviewArgs(
                    nomination, self._wf_id, self._step, visit, f"{self._wf_id}:{self._step}:{visit}:open",
                    transferred_from=arrived.from_agency if arrived else None,
                    plan_code=arrived.plan_code if arrived else None,
                    legal_basis=arrived.legal_basis if arrived else None,
                ),
            )
            self._state = "pending"
            await workflow.wait_condition(
                lambda: self._decided is not None or self._arrived_by is not None or self._withdrawn
            )
            if self._withdrawn:
                return await self._end("withdrawn")
            if self._decided is None:  # transferred to a successor agency: open a review there
                continue
            decision, self._decided = self._decided, None
            if decision.action == "forward":
                self._step += 1
                continue
            if decision.action == "return":
                self._state = "returned"
                await workflow.wait_condition(lambda: self._resubmitted or self._withdrawn)
                if self._withdrawn:
                    return await self._end("withdrawn")
                self._resubmitted = False
                continue
            self._state = "conferred" if decision.action == "confer" else "refused"
            await workflow.wait_condition(workflow.all_handlers_finished)
            return self.status()

    async def _end(self, state: str) -> NominationStatus:
        self._state = state
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.status()

    @property
    def _wf_id(self) -> str:
        return workflow.info().workflow_id

    @property
    def _current(self):  # type: ignore[no-untyped-def]
        assert self._input is not None
        return self._input.route[self._step]

    async def _activity(self, name: str, tier: str, arg: object, result_type: type | None = None) -> object:
        return await workflow.execute_activity(
            name,
            arg,
            task_queue=Tier(tier).task_queue,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=RETRY,
            result_type=result_type,
        )

    @workflow.update
    async def decide(self, decision: DecisionInput) -> DecisionResult:
        assert self._input is not None
        if self._claimed:
            raise ApplicationError(
                "nomination is not awaiting a decision (another decision is being recorded)",
                type="NotPending",
            )
        self._claimed = True
        await workflow.wait_condition(lambda: self._state == "pending")
        self._state = "recording"
        step, visit = self._step, self._visit[self._step]
        route = self._input.route
        next_agency = route[step + 1].agency_code if decision.action == "forward" else None
        await self._activity(
            "record_decision",
            decision.tier,
            RecordDecisionArgs(
                nomination=self._input,
                workflow_id=self._wf_id,
                step=step,
                visit=visit,
                decision=decision,
                next_agency=next_agency,
                idempotency_key=f"{self._wf_id}:{step}:{visit}:decision",
                decided_at=workflow.now().isoformat(),
            ),
        )
        self._history.append(
            HistoryEntry(
                step, decision.agency_code, decision.action, decision.officer_id,
                workflow.now().isoformat(), decision.reason,
            )
        )
        self._decided = decision
        self._claimed = False
        state = {"forward": "forwarded", "return": "returned", "refuse": "refused"}.get(
            decision.action, "conferred"
        )
        return DecisionResult(
            self._input.nomination_id, decision.action, decision.agency_code, step, state, next_agency
        )

    @decide.validator
    def _validate_decision(self, decision: DecisionInput) -> None:
        if self._transferring:
            raise ApplicationError(
                "nomination is being transferred to a successor agency after a reorganization; try again",
                type="NotPending",
            )
        if self._input is None or self._claimed or self._state not in ("pending", "opening"):
            raise ApplicationError(
                f"nomination is not awaiting a decision (it is {self._state})", type="NotPending"
            )
        current = self._current
        if decision.tier != current.tier or decision.agency_code != current.agency_code:
            raise ApplicationError(
                f"nomination is pending at {current.agency_code} ({current.tier}), "
                f"not at {decision.agency_code} ({decision.tier})",
                type="WrongAgency",
            )
        if decision.officer_role not in DECIDING_ROLES:
            raise ApplicationError(
                f"role '{decision.officer_role}' cannot decide; one of {DECIDING_ROLES} is needed",
                type="WrongRole",
            )
        if decision.action == "confer" and not current.confers:
            raise ApplicationError(
                f"{current.agency_code} cannot confer {self._input.award_code}: "
                f"the conferring authority is {self._input.route[-1].agency_code}",
                type="NotConferringLevel",
            )
        if decision.action == "forward" and current.confers:
            raise ApplicationError(
                f"{current.agency_code} is the conferring authority: confer, refuse or return",
                type="NothingToForwardTo",
            )
        if decision.action not in ("forward", "return", "refuse", "confer"):
            raise ApplicationError(f"unknown action '{decision.action}'", type="UnknownAction")

    @workflow.update
    async def resubmit(self, request: ResubmitInput) -> NominationStatus:
        assert self._input is not None
        self._state = "resubmitting"
        await self._activity(
            "record_submission",
            self._input.route[0].tier,
            RecordSubmissionArgs(
                self._input,
                self._wf_id,
                f"{self._wf_id}:resubmitted:{len(self._history)}",
                resubmission=True,
                reason=request.reason,
            ),
        )
        self._resubmitted = True
        return self.status()

    @resubmit.validator
    def _validate_resubmit(self, request: ResubmitInput) -> None:
        if self._input is None or self._state != "returned":
            raise ApplicationError(
                f"only a returned nomination can be resubmitted (it is {self._state})",
                type="NotReturned",
            )
        if request.agency_code != self._input.proposer_agency:
            raise ApplicationError(
                f"only the proposer {self._input.proposer_agency} can resubmit", type="WrongAgency"
            )

    @workflow.update
    async def withdraw(self, request: WithdrawInput) -> NominationStatus:
        """The proposer withdraws the nomination before a decision on it; the workflow ends."""
        assert self._input is not None
        self._claimed = True
        await workflow.wait_condition(lambda: self._state in ("pending", "returned") and not self._transferring)
        step, visit, current = self._step, self._visit.get(self._step, 1), self._current
        now = workflow.now().isoformat()
        key = f"{self._wf_id}:withdrawn"
        if self._state == "pending" and current.agency_code != self._input.proposer_agency:
            await self._activity("record_withdrawal", current.tier, RecordWithdrawalArgs(
                self._input, self._wf_id, step, visit, current.agency_code, request.officer_id, request.reason,
                f"{key}:{current.agency_code}", now))
        await self._activity("record_withdrawal", self._input.route[0].tier, RecordWithdrawalArgs(
            self._input, self._wf_id, step, visit, self._input.proposer_agency, request.officer_id, request.reason,
            f"{key}:{self._input.proposer_agency}", now, announce=True))
        self._history.append(HistoryEntry(step, self._input.proposer_agency, "withdraw", request.officer_id, now,
                                          request.reason))
        self._withdrawn, self._claimed = True, False
        self._state = "withdrawn"
        return self.status()

    @withdraw.validator
    def _validate_withdraw(self, request: WithdrawInput) -> None:
        if self._input is None or self._claimed or self._transferring or self._withdrawn \
                or self._state not in ("pending", "opening", "returned"):
            raise ApplicationError(
                f"only a nomination awaiting a decision can be withdrawn (it is {self._state})", type="NotPending")
        if request.agency_code != self._input.proposer_agency:
            raise ApplicationError(f"only the proposer {self._input.proposer_agency} can withdraw it",
                                   type="WrongAgency")

    @workflow.update
    async def transfer(self, request: TransferInput) -> TransferOutcome:
        """Re-route after a reorganization: the current and queued steps move to successor agencies.

        Idempotent per plan: a second transfer for the same plan returns the first outcome. The
        submission date, regime and decided steps are kept; the old and the new agency each write
        an audit record with the plan's legal basis.
        """
        assert self._input is not None
        nomination_id = self._input.nomination_id
        if request.plan_code in self._transfers:
            return self._transfers[request.plan_code]
        if self._state in ("conferred", "refused"):
            return TransferOutcome(nomination_id, "final", self._current.agency_code, detail=self._state)
        await workflow.wait_condition(
            lambda: self._state in ("pending", "returned") and not self._claimed and not self._transferring
        )
        self._transferring = True
        try:
            return await self._transfer(request)
        finally:
            self._transferring = False

    async def _transfer(self, request: TransferInput) -> TransferOutcome:
        assert self._input is not None
        nomination_id, step, old = self._input.nomination_id, self._step, self._current
        planned = await self._activity(
            "plan_transfer",
            self._input.route[0].tier,
            PlanTransferArgs(self._input, step, request.plan_code, request.effective, request.choices),
            PlannedTransfer,
        )
        assert isinstance(planned, PlannedTransfer)
        if planned.needs_choice:
            return TransferOutcome(nomination_id, "needs_choice", old.agency_code, rule=planned.rule,
                                   detail=planned.detail, candidates=planned.candidates)
        if not planned.changed:
            outcome = TransferOutcome(nomination_id, "unchanged", old.agency_code, old.agency_code, planned.rule)
            self._transfers[request.plan_code] = outcome
            return outcome
        record = RecordTransferArgs(
            nomination=self._input, workflow_id=self._wf_id, step=step, visit=self._visit.get(step, 1),
            plan_code=request.plan_code, legal_basis=request.legal_basis, from_tier=old.tier,
            from_agency=old.agency_code, to_agency=planned.to_agency, rule=planned.rule,
            idempotency_key=f"{self._wf_id}:transfer:{request.plan_code}", at=workflow.now().isoformat(),
            pending=self._state == "pending", new_route=planned.route,
            same_agency=planned.to_agency == old.agency_code,
        )
        await self._activity("record_transfer", old.tier, record)
        self._input.route = planned.route
        self._history.append(HistoryEntry(step, old.agency_code, "transfer", "system", workflow.now().isoformat(),
                                          f"{request.plan_code}: {planned.rule} → {planned.to_agency}"))
        if not record.same_agency:
            # The main loop opens the review at the successor, now or when the proposer resubmits.
            self._arrived_by = record
        kind = "rerouted" if record.same_agency else "transferred"
        outcome = TransferOutcome(nomination_id, kind, old.agency_code, planned.to_agency, planned.rule,
                                  detail=planned.detail)
        self._transfers[request.plan_code] = outcome
        return outcome

    @workflow.query
    def status(self) -> NominationStatus:
        assert self._input is not None
        pending = self._current.agency_code if self._state == "pending" else None
        return NominationStatus(
            self._input.nomination_id, self._state, self._step, self._input.route, pending,
            list(self._history),
        )
