"""NominationWorkflow: one per nomination, routing it level by level to the conferring authority.

Human decisions arrive as updates whose validators reject what is not allowed now; the accepted
decision is written by an activity on the deciding tier's task queue (state row, audit record and
outbox event in one transaction). Status is a query.
"""

import dataclasses
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from shared.contracts.nomination import (
        Carried,
        Clock,
        ClockArgs,
        ClockEventArgs,
        ClockEventResult,
        DecisionInput,
        DecisionResult,
        HistoryEntry,
        HoldInput,
        IntakeArgs,
        IntakeResult,
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
    from shared.contracts.tiers import Tier

DECIDING_ROLES = ("chair", "admin")
# workflow.patched marker: runs started before the lifecycle (intake, clocks, holds) replay as
# they ran; new runs take the new path (tests/unit/test_replay.py guards this).
LIFECYCLE = "lifecycle-v1"
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
        # The lifecycle (issue 4): holds stop the step's clock; returns and time with the proposer.
        self._held = False
        self._hold_reason: str | None = None
        self._holds = 0
        self._clock: Clock | None = None
        self._returns = 0
        self._seconds_with_proposer = 0.0
        self._escalations = 0
        self._runs = 1

    @workflow.run
    async def run(self, nomination: NominationInput) -> NominationStatus:
        self._input = nomination
        escalated_from: str | None = None
        if nomination.carried is not None:  # a new run of a long-lived nomination: no new submission
            escalated_from = self._restore(nomination.carried)
            nomination.carried = None
        else:
            await self._activity(
                "record_submission",
                nomination.route[0].tier,
                RecordSubmissionArgs(nomination, self._wf_id, f"{self._wf_id}:submitted"),
            )
        first = True
        while True:
            if (
                workflow.patched(LIFECYCLE)
                and not first
                and workflow.info().get_current_history_length() > nomination.history_limit
            ):
                # Between steps: nothing is being recorded. Let running handlers finish, then roll over.
                await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self._claimed)
                workflow.continue_as_new(self._carry(escalated_from))
            first = False
            visit = self._visit[self._step] = self._visit.get(self._step, 0) + 1
            # The inbox row exists once open_review commits, a moment before this workflow learns
            # it did: a decision arriving then is accepted and waits for "pending".
            self._state = "opening"
            arrived, self._arrived_by = self._arrived_by, None
            await self._activity(
                "open_review",
                self._current.tier,
                OpenReviewArgs(
                    nomination,
                    self._wf_id,
                    self._step,
                    visit,
                    f"{self._wf_id}:{self._step}:{visit}:open",
                    transferred_from=arrived.from_agency if arrived else None,
                    plan_code=arrived.plan_code if arrived else None,
                    legal_basis=arrived.legal_basis if arrived else None,
                    escalated_from=escalated_from,
                ),
            )
            escalated_from = None
            if workflow.patched(LIFECYCLE):
                if not await self._intake(nomination, visit):
                    if self._withdrawn:
                        return await self._end("withdrawn")
                    continue  # resubmitted with the supplement: intake again at the same step
                waited = await self._await_decision(visit)
                if waited == "escalated":
                    escalated_from = self._input.route[self._step - 1].agency_code if self._input else None
                    continue
            else:
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
                await self._with_proposer()
                if self._withdrawn:
                    return await self._end("withdrawn")
                continue
            self._state = "conferred" if decision.action == "confer" else "refused"
            await workflow.wait_condition(workflow.all_handlers_finished)
            return self.status()

    def _carry(self, escalated_from: str | None) -> NominationInput:
        assert self._input is not None
        carried = Carried(
            step=self._step,
            visits=[[k, v] for k, v in sorted(self._visit.items())],
            history=list(self._history),
            transfers=dict(self._transfers),
            returns=self._returns,
            seconds_with_proposer=self._seconds_with_proposer,
            escalations=self._escalations,
            holds=self._holds,
            held=self._held,
            hold_reason=self._hold_reason,
            arrived_by=self._arrived_by,
            escalated_from=escalated_from,
            runs=self._runs + 1,
        )
        return dataclasses.replace(self._input, carried=carried)

    def _restore(self, carried: Carried) -> str | None:
        self._step, self._visit = carried.step, {k: v for k, v in carried.visits}
        self._history, self._transfers = list(carried.history), dict(carried.transfers)
        self._returns, self._seconds_with_proposer = carried.returns, carried.seconds_with_proposer
        self._escalations, self._holds = carried.escalations, carried.holds
        self._held, self._hold_reason = carried.held, carried.hold_reason
        self._arrived_by, self._runs = carried.arrived_by, carried.runs
        return carried.escalated_from

    async def _with_proposer(self) -> None:
        """Returned for supplement: wait for the proposer's resubmission (or withdrawal), timing it."""
        if self._state != "resubmitting":  # the proposer may already be resubmitting (decide set "returned")
            self._state = "returned"
        self._returns += 1
        since = workflow.now()
        await workflow.wait_condition(lambda: self._resubmitted or self._withdrawn)
        self._seconds_with_proposer += (workflow.now() - since).total_seconds()
        self._resubmitted = False

    async def _intake(self, nomination: NominationInput, visit: int) -> bool:
        """The receiving agency checks the dossier; an incomplete one goes back with the exact list."""
        current = self._current
        if current.agency_code == nomination.proposer_agency:
            return True
        result = await self._activity(
            "check_intake", current.tier, IntakeArgs(nomination, self._wf_id, self._step, visit), IntakeResult
        )
        assert isinstance(result, IntakeResult)
        if not result.missing:
            return True
        now = workflow.now().isoformat()
        decision = DecisionInput("return", current.agency_code, current.tier, "system", "system", reason=result.message)
        await self._activity(
            "record_decision",
            current.tier,
            RecordDecisionArgs(
                nomination=nomination,
                workflow_id=self._wf_id,
                step=self._step,
                visit=visit,
                decision=decision,
                next_agency=None,
                idempotency_key=f"{self._wf_id}:{self._step}:{visit}:intake",
                decided_at=now,
                missing_documents=list(result.missing),
            ),
        )
        self._history.append(HistoryEntry(self._step, current.agency_code, "return", "system", now, result.message))
        await self._with_proposer()
        return False

    async def _start_clock(self, visit: int, restart: int) -> datetime:
        assert self._input is not None
        started = workflow.now()
        clock = await self._activity(
            "start_clock",
            self._current.tier,
            ClockArgs(self._input, self._wf_id, self._step, visit, started.isoformat(), restart),
            Clock,
        )
        assert isinstance(clock, Clock)
        self._clock = clock
        return started

    async def _clock_event(self, visit: int, kind: str, key: str, **extra: object) -> ClockEventResult:
        assert self._input is not None
        current = self._current
        result = await self._activity(
            "record_clock_event",
            current.tier,
            ClockEventArgs(
                self._input,
                self._wf_id,
                self._step,
                visit,
                kind,
                current.agency_code,
                key,
                workflow.now().isoformat(),
                **extra,  # type: ignore[arg-type]
            ),
            ClockEventResult,
        )
        assert isinstance(result, ClockEventResult)
        return result

    async def _await_decision(self, visit: int) -> str:
        """Pending at the current step with its clock: reminders, expiry under the step's policy, holds.

        Returns "decided", "arrived" (a transfer), "withdrawn" or "escalated" (moved up a level).
        """
        self._state = "pending"
        restarts, fired, expired = 0, 0, False
        started = await self._start_clock(visit, restarts)
        while True:
            clock = self._clock
            timeout = None
            if clock is not None and clock.has_deadline and not self._held and not expired:
                after = clock.reminder_after[fired] if fired < len(clock.reminder_after) else clock.expires_after
                timeout = max((started + timedelta(seconds=after)) - workflow.now(), timedelta(0))
            held = self._held
            try:
                await workflow.wait_condition(
                    lambda: (
                        self._decided is not None
                        or self._arrived_by is not None
                        or self._withdrawn
                        or self._held != held  # noqa: B023 (the wait ends before the next iteration)
                    ),
                    timeout=timeout,
                )
            except TimeoutError:
                assert clock is not None
                key = f"{self._wf_id}:{self._step}:{visit}:clock:{restarts}"
                if self._decided is not None or self._withdrawn or self._transferring or self._claimed:
                    continue  # a decision or transfer is being recorded: it wins over the timer
                if fired < len(clock.reminder_after):
                    await self._clock_event(
                        visit,
                        "reminder",
                        f"{key}:reminder:{fired}",
                        due_on=clock.due_on,
                        share_used=clock.reminder_shares[fired],
                    )
                    fired += 1
                    continue
                expired = True
                self._escalations += 1
                policy = clock.on_expiry
                route = self._input.route if self._input else []
                if policy == "escalate_next_level" and self._step + 1 < len(route):
                    reason = f"Quá hạn giải quyết ({clock.due_on}): chuyển lên cấp trên"
                    await self._clock_event(
                        visit,
                        "expiry",
                        f"{key}:expiry",
                        due_on=clock.due_on,
                        policy=policy,
                        next_agency=route[self._step + 1].agency_code,
                        reason=reason,
                    )
                    self._history.append(
                        HistoryEntry(
                            self._step,
                            self._current.agency_code,
                            "escalate",
                            "system",
                            workflow.now().isoformat(),
                            reason,
                        )
                    )
                    self._step += 1
                    self._state = "opening"
                    return "escalated"
                if policy == "escalate_next_level":
                    policy = "notify_head"  # nowhere higher to go: the conferring authority's head is told
                result = await self._clock_event(
                    visit,
                    "expiry",
                    f"{key}:expiry",
                    due_on=clock.due_on,
                    policy=policy,
                    reason=f"Quá hạn giải quyết ({clock.due_on})",
                )
                self._history.append(
                    HistoryEntry(
                        self._step,
                        self._current.agency_code,
                        f"expired:{policy}",
                        "system",
                        workflow.now().isoformat(),
                        f"→ {result.to_officer}" if result.to_officer else None,
                    )
                )
                continue
            if self._held != held:
                if not self._held:  # released: the clock restarts from the release (domain.md §9.2)
                    restarts += 1
                    fired, expired = 0, False
                    started = await self._start_clock(visit, restarts)
                continue
            if self._withdrawn:
                return "withdrawn"
            return "decided" if self._decided is not None else "arrived"

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
                step,
                decision.agency_code,
                decision.action,
                decision.officer_id,
                workflow.now().isoformat(),
                decision.reason,
            )
        )
        if decision.action == "forward" and decision.documents:
            self._input.documents = [*self._input.documents, *decision.documents]
        self._decided = decision
        self._claimed = False
        if decision.action == "return":
            self._state = "returned"  # the proposer may resubmit as soon as it hears of the return
        state = {"forward": "forwarded", "return": "returned", "refuse": "refused"}.get(decision.action, "conferred")
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
            raise ApplicationError(f"nomination is not awaiting a decision (it is {self._state})", type="NotPending")
        if self._held:
            raise ApplicationError(
                f"nomination is on hold ({self._hold_reason}); release the hold before deciding", type="OnHold"
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
        if request.documents is not None:  # the supplement: the proposer's documents as they now are
            proposer = self._input.proposer_agency
            self._input.documents = [
                *(d for d in self._input.documents if d.agency_code != proposer),
                *request.documents,
            ]
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
            raise ApplicationError(f"only the proposer {self._input.proposer_agency} can resubmit", type="WrongAgency")

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
            await self._activity(
                "record_withdrawal",
                current.tier,
                RecordWithdrawalArgs(
                    self._input,
                    self._wf_id,
                    step,
                    visit,
                    current.agency_code,
                    request.officer_id,
                    request.reason,
                    f"{key}:{current.agency_code}",
                    now,
                ),
            )
        await self._activity(
            "record_withdrawal",
            self._input.route[0].tier,
            RecordWithdrawalArgs(
                self._input,
                self._wf_id,
                step,
                visit,
                self._input.proposer_agency,
                request.officer_id,
                request.reason,
                f"{key}:{self._input.proposer_agency}",
                now,
                announce=True,
            ),
        )
        self._history.append(
            HistoryEntry(step, self._input.proposer_agency, "withdraw", request.officer_id, now, request.reason)
        )
        self._withdrawn, self._claimed = True, False
        self._state = "withdrawn"
        return self.status()

    @withdraw.validator
    def _validate_withdraw(self, request: WithdrawInput) -> None:
        if (
            self._input is None
            or self._claimed
            or self._transferring
            or self._withdrawn
            or self._state not in ("pending", "opening", "returned")
        ):
            raise ApplicationError(
                f"only a nomination awaiting a decision can be withdrawn (it is {self._state})", type="NotPending"
            )
        if request.agency_code != self._input.proposer_agency:
            raise ApplicationError(
                f"only the proposer {self._input.proposer_agency} can withdraw it", type="WrongAgency"
            )

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
            return TransferOutcome(
                nomination_id,
                "needs_choice",
                old.agency_code,
                rule=planned.rule,
                detail=planned.detail,
                candidates=planned.candidates,
            )
        if not planned.changed:
            outcome = TransferOutcome(nomination_id, "unchanged", old.agency_code, old.agency_code, planned.rule)
            self._transfers[request.plan_code] = outcome
            return outcome
        record = RecordTransferArgs(
            nomination=self._input,
            workflow_id=self._wf_id,
            step=step,
            visit=self._visit.get(step, 1),
            plan_code=request.plan_code,
            legal_basis=request.legal_basis,
            from_tier=old.tier,
            from_agency=old.agency_code,
            to_agency=planned.to_agency,
            rule=planned.rule,
            idempotency_key=f"{self._wf_id}:transfer:{request.plan_code}",
            at=workflow.now().isoformat(),
            pending=self._state == "pending",
            new_route=planned.route,
            same_agency=planned.to_agency == old.agency_code,
        )
        await self._activity("record_transfer", old.tier, record)
        self._input.route = planned.route
        self._history.append(
            HistoryEntry(
                step,
                old.agency_code,
                "transfer",
                "system",
                workflow.now().isoformat(),
                f"{request.plan_code}: {planned.rule} → {planned.to_agency}",
            )
        )
        if not record.same_agency:
            # The main loop opens the review at the successor, now or when the proposer resubmits.
            self._arrived_by = record
        kind = "rerouted" if record.same_agency else "transferred"
        outcome = TransferOutcome(
            nomination_id, kind, old.agency_code, planned.to_agency, planned.rule, detail=planned.detail
        )
        self._transfers[request.plan_code] = outcome
        return outcome

    @workflow.update
    async def hold(self, request: HoldInput) -> NominationStatus:
        """A complaint or an investigation stops the step's clock; decisions wait for the release."""
        await self._record_hold(request, "hold")
        self._held, self._hold_reason = True, request.reason
        return self.status()

    @hold.validator
    def _validate_hold(self, request: HoldInput) -> None:
        self._check_hold_request(request)
        if self._held:
            raise ApplicationError(f"nomination is already on hold ({self._hold_reason})", type="AlreadyHeld")

    @workflow.update
    async def release(self, request: HoldInput) -> NominationStatus:
        await self._record_hold(request, "release")
        self._held, self._hold_reason = False, None
        return self.status()

    @release.validator
    def _validate_release(self, request: HoldInput) -> None:
        self._check_hold_request(request)
        if not self._held:
            raise ApplicationError("nomination is not on hold", type="NotHeld")

    def _check_hold_request(self, request: HoldInput) -> None:
        if self._input is None or self._state in ("conferred", "refused", "withdrawn", "starting"):
            raise ApplicationError(f"nomination cannot be held or released (it is {self._state})", type="NotPending")
        allowed = {self._input.proposer_agency, self._current.agency_code}
        if request.agency_code not in allowed:
            raise ApplicationError(
                f"only {' or '.join(sorted(allowed))} can hold or release this nomination", type="WrongAgency"
            )
        if not request.reason.strip():
            raise ApplicationError("a hold or release needs a reason", type="NoReason")

    async def _record_hold(self, request: HoldInput, kind: str) -> None:
        assert self._input is not None
        self._holds += 1
        visit = self._visit.get(self._step, 1)
        reason = f"{request.reason} ({request.source}, {request.agency_code})"
        await self._clock_event(
            visit, kind, f"{self._wf_id}:{kind}:{self._holds}", officer_id=request.officer_id, reason=reason
        )
        self._history.append(
            HistoryEntry(
                self._step, request.agency_code, kind, request.officer_id, workflow.now().isoformat(), request.reason
            )
        )

    @workflow.query
    def status(self) -> NominationStatus:
        assert self._input is not None
        pending = self._current.agency_code if self._state == "pending" else None
        clock = self._clock
        return NominationStatus(
            self._input.nomination_id,
            self._state,
            self._step,
            self._input.route,
            pending,
            list(self._history),
            due_on=clock.due_on if clock is not None and clock.has_deadline and not self._held else None,
            held=self._held,
            returns=self._returns,
            seconds_with_proposer=self._seconds_with_proposer,
            escalations=self._escalations,
            runs=self._runs,
        )
