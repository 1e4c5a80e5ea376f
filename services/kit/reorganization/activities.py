"""What Temporal asks a tier to do in a reorganization: apply a plan to its registry replica, find
and preview its nominations in flight, move one nomination to its successor authority, and (at
central) keep the plan's queue of candidates and its per-nomination report.
"""

from datetime import date
from typing import Any

import structlog
from temporalio import activity

from services.kit.activity import TierActivities
from services.kit.reorganization import service as reorganizations
from services.kit.reorganization import transfers
from shared.contracts.nomination import PlannedTransfer, PlanTransferArgs, RecordTransferArgs
from shared.contracts.reorganization import ApplyPlanArgs, FindInFlightArgs, OutcomeRow, QueueArgs, RecordOutcomesArgs

log = structlog.get_logger()


class TransferActivities(TierActivities):
    """One nomination's move: planned at the proposer's service, recorded at the old agency's."""

    @activity.defn
    async def plan_transfer(self, args: PlanTransferArgs) -> PlannedTransfer:
        """At the proposer's service: where the nomination goes after a reorganization."""
        async with self._factory() as session:
            return await transfers.plan_transfer(session, args)

    @activity.defn
    async def record_transfer(self, args: RecordTransferArgs) -> None:
        """At the old agency's service: its review closes as transferred, with the legal basis."""
        with structlog.contextvars.bound_contextvars(
            nomination_id=args.nomination.nomination_id, workflow_id=args.workflow_id, agency=args.from_agency
        ):
            async with self._factory() as session, session.begin():
                if await self.already_done(session, args.idempotency_key):
                    return
                await transfers.record_transfer(session, args)
            log.info("nomination.transferred_out", to_agency=args.to_agency, plan=args.plan_code)
        self._on_commit()


class ReorganizationActivities(TierActivities):
    """A plan at this tier: its registry replica, its nominations in flight, and central's queue and report."""

    @activity.defn
    async def apply_plan(self, args: ApplyPlanArgs) -> dict[str, Any]:
        """Apply a reorganization plan to this service's registry replica, once."""
        async with self._factory() as session, session.begin():
            summary = await reorganizations.apply_to_replica(session, args.plan_code, tier=self._tier)
        self._on_commit()
        log.info("hierarchy.plan_applied", plan=args.plan_code, closed=summary.get("closed"))
        return {k: v for k, v in summary.items() if k != "ambiguous"} | {"ambiguous": len(summary.get("ambiguous", []))}

    @activity.defn
    async def find_in_flight(self, args: FindInFlightArgs) -> list[str]:
        async with self._factory() as session:
            return await reorganizations.find_in_flight(
                session, date.fromisoformat(args.effective), args.after, args.limit
            )

    @activity.defn
    async def preview_in_flight(self, args: FindInFlightArgs) -> list[OutcomeRow]:
        async with self._factory() as session:
            return await reorganizations.preview_in_flight(session, args.plan_code, date.fromisoformat(args.effective))

    @activity.defn
    async def record_outcomes(self, args: RecordOutcomesArgs) -> dict[str, int]:
        """Upsert the per-item report; answers the plan's totals so far (a retry answers the same)."""
        async with self._factory() as session, session.begin():
            await reorganizations.record_outcomes(session, args.plan_code, args.outcomes)
            await session.flush()
            return await reorganizations.outcome_totals(session, args.plan_code)

    @activity.defn
    async def queue_candidates(self, args: QueueArgs) -> int:
        async with self._factory() as session, session.begin():
            return await reorganizations.queue_candidates(session, args.plan_code, args.nomination_ids)

    @activity.defn
    async def next_queued(self, args: QueueArgs) -> list[str]:
        async with self._factory() as session:
            return await reorganizations.next_queued(session, args.plan_code, args.after, args.limit)
