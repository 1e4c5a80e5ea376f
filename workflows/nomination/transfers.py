"""Re-routing inside the NominationWorkflow after a reorganization: the current and queued steps
move to the successor authorities; decided steps and the submission date stay as they were.
"""

from temporalio import workflow

from workflows.nomination.state import NominationState

with workflow.unsafe.imports_passed_through():
    from shared.contracts.activities import TransferActivities
    from shared.contracts.nomination import (
        HistoryEntry,
        PlanTransferArgs,
        RecordTransferArgs,
        TransferInput,
        TransferOutcome,
    )


class Transfers(NominationState):
    async def move(self, request: TransferInput) -> TransferOutcome:
        nomination = self.nomination
        nomination_id, step, old = nomination.nomination_id, self.step, self.current
        planned = await self.run_activity(
            TransferActivities.plan_transfer,
            nomination.route[0].tier,
            PlanTransferArgs(nomination, step, request.plan_code, request.effective, request.choices),
        )
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
            self.transfers[request.plan_code] = outcome
            return outcome
        record = RecordTransferArgs(
            nomination=nomination,
            workflow_id=self.wf_id,
            step=step,
            visit=self.visits.get(step, 1),
            plan_code=request.plan_code,
            legal_basis=request.legal_basis,
            from_tier=old.tier,
            from_agency=old.agency_code,
            to_agency=planned.to_agency,
            rule=planned.rule,
            idempotency_key=f"{self.wf_id}:transfer:{request.plan_code}",
            at=workflow.now().isoformat(),
            pending=self.state == "pending",
            new_route=planned.route,
            same_agency=planned.to_agency == old.agency_code,
        )
        await self.run_activity(TransferActivities.record_transfer, old.tier, record)
        nomination.route = planned.route
        self.history.append(
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
            self.arrived_by = record
        kind = "rerouted" if record.same_agency else "transferred"
        outcome = TransferOutcome(
            nomination_id, kind, old.agency_code, planned.to_agency, planned.rule, detail=planned.detail
        )
        self.transfers[request.plan_code] = outcome
        return outcome
