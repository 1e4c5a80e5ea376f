"""ReorganizationWorkflow: one per plan. Waits for the effective date, applies the plan to every
tier's registry replica, then re-routes every nomination in flight in bounded batches. Last, each
tier closes the logs of the agencies the plan retired, waits for a witness to cosign a checkpoint
that holds their closing records, and their successors' tiers record a reference to it (0039). An
agency with business still open (a review not transferred, a nomination it proposed in flight) is
deferred: the plan is applied (phase `deferred`), and the workflow tries again every
`recheck_seconds` until the last such log is closed and referenced (phase `done`, the workflow ends).

Re-running is safe at every point: each tier applies a plan once (idempotency key), each
nomination's `transfer` update is idempotent per plan and deduplicated by update id, and outcomes
are upserted. A worker killed mid-batch resumes the batch and never repeats a transfer.
"""

from datetime import date, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from shared.contracts.activities import BatchActivities, ReorganizationActivities, SuccessionActivities
    from shared.contracts.reorganization import (
        BUSINESS_DATE_SIGNAL,
        STATUS_QUERY,
        WORKFLOW,
        ApplyPlanArgs,
        ClosingArgs,
        FindInFlightArgs,
        QueueArgs,
        RecordOutcomesArgs,
        RecordSuccessionArgs,
        ReferencePageArgs,
        ReorganizationInput,
        ReorganizationStatus,
        TransferBatchArgs,
    )
    from shared.contracts.tiers import NOMINATION_TASK_QUEUE, TIER_ORDER, Tier

RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=500), maximum_interval=timedelta(seconds=10))
BATCHES_PER_RUN = 40  # continue-as-new after this many batches: the history stays small
FIND_PAGE = 1000  # candidate ids per find_in_flight page: no payload grows with the country
# workflow.patched marker: runs started before paging carry every candidate id in their input.
PAGED = "paged-candidates"
# workflow.patched marker: runs started before decision 0039 end after the transfers.
SUCCESSION = "agency-succession"
# workflow.patched marker: runs started before it ended with agencies deferred, never closed.
DEFERRED = "deferred-closing"
ROUNDS_PER_RUN = 100  # rounds of deferred closing per run before continue-as-new
REFERENCE_PAGE = 50  # closed agencies per page of final references (each about 3 kB)
# Waiting for a witness's cosignature: each attempt waits a minute, heartbeating; about half an hour in all.
COSIGNED = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30), maximum_attempts=20
)


@workflow.defn(name=WORKFLOW)
class ReorganizationWorkflow:
    def __init__(self) -> None:
        self._input: ReorganizationInput | None = None
        self._phase = "waiting"
        self._processed = 0
        self._today: str | None = None

    @workflow.run
    async def run(self, inp: ReorganizationInput) -> ReorganizationStatus:
        self._input, self._phase = inp, inp.phase
        if inp.dry_run:
            return await self._preview(inp)
        if self._phase == "waiting":
            # Durable wait: a timer for the days left, cut short when a service reports that its
            # business date reached the effective date (signal `business_date`).
            self._today = self._today or inp.today
            days = (date.fromisoformat(inp.effective) - date.fromisoformat(self._today)).days
            if days > 0:
                await workflow.wait_condition(lambda: self._due(), timeout=timedelta(days=days))
            self._phase = "applying"
        if self._phase == "applying":
            for tier in TIER_ORDER:
                result = await workflow.execute_activity_method(
                    ReorganizationActivities.apply_plan,
                    ApplyPlanArgs(inp.plan_code, f"{inp.plan_code}:apply:{tier.value}"),
                    task_queue=tier.task_queue,
                    start_to_close_timeout=timedelta(minutes=5),
                    retry_policy=RETRY,
                )
                inp.applied.append({"tier": tier.value, **result})
            self._phase = "finding"
        if self._phase == "finding" and workflow.patched(PAGED):
            # Each tier pages through what it knows; central queues each nomination once.
            for tier in TIER_ORDER:
                after = ""
                while True:
                    ids = await workflow.execute_activity_method(
                        ReorganizationActivities.find_in_flight,
                        FindInFlightArgs(inp.plan_code, inp.effective, after, FIND_PAGE),
                        task_queue=tier.task_queue,
                        start_to_close_timeout=timedelta(minutes=5),
                        retry_policy=RETRY,
                    )
                    if not ids:
                        break
                    inp.candidates = await workflow.execute_activity_method(
                        ReorganizationActivities.queue_candidates,
                        QueueArgs(inp.plan_code, ids),
                        task_queue=Tier.CENTRAL.task_queue,
                        start_to_close_timeout=timedelta(minutes=2),
                        retry_policy=RETRY,
                    )
                    after = ids[-1]
            inp.paged, inp.cursor = True, ""
            self._phase = "transferring"
        if self._phase == "finding":
            found: set[str] = set()
            for tier in TIER_ORDER:
                ids = await workflow.execute_activity_method(
                    ReorganizationActivities.find_in_flight,
                    FindInFlightArgs(inp.plan_code, inp.effective),
                    task_queue=tier.task_queue,
                    start_to_close_timeout=timedelta(minutes=5),
                    retry_policy=RETRY,
                )
                found.update(ids)
            inp.pending_ids, inp.candidates = sorted(found), len(found)
            self._phase = "transferring"
        batches = 0
        while inp.paged and self._phase != "deferred":
            if batches == BATCHES_PER_RUN:
                workflow.continue_as_new(ReorganizationInput(**{**inp.__dict__, "phase": "transferring"}))
            batch = await workflow.execute_activity_method(
                ReorganizationActivities.next_queued,
                QueueArgs(inp.plan_code, after=inp.cursor, limit=inp.batch_size),
                task_queue=Tier.CENTRAL.task_queue,
                start_to_close_timeout=timedelta(minutes=2),
                retry_policy=RETRY,
            )
            if not batch:
                break
            outcomes = await workflow.execute_activity_method(
                BatchActivities.transfer_batch,
                TransferBatchArgs(inp.plan_code, inp.effective, inp.legal_basis, batch, inp.concurrency),
                task_queue=NOMINATION_TASK_QUEUE,
                start_to_close_timeout=timedelta(minutes=10),
                heartbeat_timeout=timedelta(seconds=10),
                retry_policy=RETRY,
            )
            inp.counts = await workflow.execute_activity_method(
                ReorganizationActivities.record_outcomes,
                RecordOutcomesArgs(inp.plan_code, outcomes),
                task_queue=Tier.CENTRAL.task_queue,
                start_to_close_timeout=timedelta(minutes=2),
                retry_policy=RETRY,
            )
            inp.cursor = batch[-1]
            batches += 1
            if inp.pause_seconds:
                await workflow.sleep(timedelta(seconds=inp.pause_seconds))
        while inp.pending_ids:  # a run started before paging
            if batches == BATCHES_PER_RUN:
                workflow.continue_as_new(ReorganizationInput(**{**inp.__dict__, "phase": "transferring"}))
            batch, inp.pending_ids = inp.pending_ids[: inp.batch_size], inp.pending_ids[inp.batch_size :]
            outcomes = await workflow.execute_activity_method(
                BatchActivities.transfer_batch,
                TransferBatchArgs(inp.plan_code, inp.effective, inp.legal_basis, batch, inp.concurrency),
                task_queue=NOMINATION_TASK_QUEUE,
                start_to_close_timeout=timedelta(minutes=10),
                heartbeat_timeout=timedelta(seconds=10),
                retry_policy=RETRY,
            )
            await workflow.execute_activity_method(
                ReorganizationActivities.record_outcomes,
                RecordOutcomesArgs(inp.plan_code, outcomes),
                task_queue=Tier.CENTRAL.task_queue,
                start_to_close_timeout=timedelta(minutes=2),
                retry_policy=RETRY,
            )
            for row in outcomes:
                inp.counts[row.outcome] = inp.counts.get(row.outcome, 0) + 1
            batches += 1
            if inp.pause_seconds and inp.pending_ids:
                await workflow.sleep(timedelta(seconds=inp.pause_seconds))
        if workflow.patched(SUCCESSION) and self._phase != "deferred":
            self._phase = "closing"
            for tier in TIER_ORDER:
                await self._close_logs(inp, tier)
        if workflow.patched(DEFERRED):
            await self._close_deferred(inp)
        self._phase = "done"
        return self.status()

    async def _close_deferred(self, inp: ReorganizationInput) -> None:
        """Every `recheck_seconds`, each tier with agencies deferred (or closings no witness had cosigned
        yet) tries again, until none is left: the logs close as the agencies' last business ends."""
        rounds = 0
        while left := [tier for tier in TIER_ORDER if _unfinished(inp.succession.get(tier.value, {}))]:
            self._phase = "deferred"
            if rounds == ROUNDS_PER_RUN:
                workflow.continue_as_new(ReorganizationInput(**{**inp.__dict__, "phase": "deferred"}))
            await workflow.sleep(timedelta(seconds=inp.recheck_seconds))
            for tier in left:
                await self._close_logs(inp, tier)
            rounds += 1

    async def _close_logs(self, inp: ReorganizationInput, tier: Tier) -> None:
        """Close the retired agencies' logs at `tier` (after every transfer), then, page by page, have
        their successors' tiers reference the cosigned checkpoint that holds each closing record."""
        closed = await workflow.execute_activity_method(
            SuccessionActivities.close_agency_logs,
            ClosingArgs(inp.plan_code, inp.effective, inp.legal_basis),
            task_queue=tier.task_queue,
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=RETRY,
        )
        # A later round goes on from the last closing record referenced (its place in the log).
        by_seq = workflow.patched(DEFERRED)
        earlier = inp.succession.get(tier.value, {}) if by_seq else {}
        closed["referenced"] = earlier.get("referenced", 0)
        after_seq: int | None = earlier.get("referenced_through", 0) if by_seq else None
        if "refused" in earlier:
            closed["refused"] = earlier["refused"]
        inp.succession[tier.value] = closed
        after = ""
        while closed["closed"]:
            try:
                page = await workflow.execute_activity_method(
                    SuccessionActivities.final_references,
                    ReferencePageArgs(inp.plan_code, inp.effective, after, REFERENCE_PAGE, after_seq),
                    task_queue=tier.task_queue,
                    start_to_close_timeout=timedelta(minutes=2),
                    heartbeat_timeout=timedelta(seconds=20),
                    retry_policy=COSIGNED,
                )
            except ActivityError as err:  # no witness cosigned in time: said in the status, the plan is done
                closed["not_referenced"] = str(err.cause or err)
                return
            if not page:
                return
            for successor_tier in TIER_ORDER:
                refs = [r for r in page if any(s["tier"] == successor_tier.value for s in r.successors)]
                if not refs:
                    continue
                try:
                    closed["referenced"] += await workflow.execute_activity_method(
                        SuccessionActivities.record_successions,
                        RecordSuccessionArgs(inp.plan_code, inp.legal_basis, refs),
                        task_queue=successor_tier.task_queue,
                        start_to_close_timeout=timedelta(minutes=5),
                        retry_policy=RETRY,
                    )
                except ActivityError as err:  # a reference the successor's service refused: said, not fatal
                    closed.setdefault("refused", []).append(f"{successor_tier.value}: {err.cause or err}")
            after = page[-1].agency
            if after_seq is not None:
                after_seq = closed["referenced_through"] = page[-1].reference["record"]["seq"]

    async def _preview(self, inp: ReorganizationInput) -> ReorganizationStatus:
        """Dry run: each tier previews the nominations pending at its agencies; nothing changes."""
        self._phase = "previewing"
        for tier in TIER_ORDER:
            rows = await workflow.execute_activity_method(
                ReorganizationActivities.preview_in_flight,
                FindInFlightArgs(inp.plan_code, inp.effective),
                task_queue=tier.task_queue,
                start_to_close_timeout=timedelta(minutes=10),
                retry_policy=RETRY,
            )
            if rows:
                await workflow.execute_activity_method(
                    ReorganizationActivities.record_outcomes,
                    RecordOutcomesArgs(inp.preview_key or f"{inp.plan_code}#dry-run", rows),
                    task_queue=Tier.CENTRAL.task_queue,
                    start_to_close_timeout=timedelta(minutes=2),
                    retry_policy=RETRY,
                )
            inp.candidates += len(rows)
            inp.applied.append({"tier": tier.value, "previewed": len(rows)})  # the status shows each tier done
            for row in rows:
                inp.counts[row.outcome] = inp.counts.get(row.outcome, 0) + 1
        self._phase = "done"
        return self.status()

    def _due(self) -> bool:
        assert self._input is not None
        return self._today is not None and self._today >= self._input.effective

    @workflow.signal(name=BUSINESS_DATE_SIGNAL)
    def business_date(self, today: str) -> None:
        """A service's business date (ISO); the plan applies once it reaches the effective date."""
        if self._today is None or today > self._today:
            self._today = today

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> ReorganizationStatus:
        inp = self._input
        assert inp is not None
        processed = sum(inp.counts.values())
        return ReorganizationStatus(
            inp.plan_code,
            inp.effective,
            self._phase,
            list(inp.applied),
            inp.candidates,
            processed,
            dict(inp.counts),
            dict(inp.succession),
        )


def _unfinished(succession: dict) -> bool:
    """A tier's closing is unfinished while agencies are deferred or no witness cosigned in time."""
    return bool(succession.get("deferred_count")) or "not_referenced" in succession
