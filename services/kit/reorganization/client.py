"""The tier's port to the ReorganizationWorkflow: preview a plan, apply it, read its progress."""

import uuid
from datetime import date, timedelta
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from services.kit.errors import Conflict, NotFound, Unavailable
from shared.contracts.reorganization import (
    BUSINESS_DATE_SIGNAL,
    STATUS_QUERY,
    WORKFLOW,
    ReorganizationInput,
    ReorganizationStatus,
    workflow_id_for,
)
from shared.contracts.tiers import NOMINATION_TASK_QUEUE
from shared.reorg.plan import Plan


class PlanRuns:
    def __init__(self, client: Client) -> None:
        self._client = client

    async def start_preview(self, plan: Plan, code: str, today: date) -> str:
        """Start a dry-run workflow and answer its run id at once: every tier previews its nominations
        in flight into central's report under `preview_key(code, run)`; nothing is applied or moved."""
        run = uuid.uuid4().hex[:8]
        await self._client.start_workflow(
            WORKFLOW,
            plan_input(plan, code, today, dry_run=True, preview_key=preview_key(code, run)),
            id=preview_workflow_id(code, run),
            task_queue=NOMINATION_TASK_QUEUE,
            execution_timeout=timedelta(minutes=30),
        )
        return run

    async def preview(self, plan: Plan, code: str, today: date) -> str:
        """Run a dry run to its end; the key its per-nomination rows are kept under."""
        run = await self.start_preview(plan, code, today)
        await self._client.get_workflow_handle(preview_workflow_id(code, run)).result()
        return preview_key(code, run)

    async def preview_status(self, code: str, run: str) -> ReorganizationStatus | None:
        """How far a dry run is (the tiers it has previewed, the nominations so far); None while no
        worker has taken it up yet. A dry run that ended without finishing is refused."""
        handle = self._client.get_workflow_handle(preview_workflow_id(code, run), result_type=ReorganizationStatus)
        try:
            description = await handle.describe()
        except RPCError:
            raise NotFound(
                f"no dry run {run} of plan {code}", vi=f"không có lần chạy thử {run} của kế hoạch {code}"
            ) from None
        if description.status == WorkflowExecutionStatus.COMPLETED:
            return await handle.result()
        if description.status != WorkflowExecutionStatus.RUNNING:
            state = description.status.name if description.status else "unknown"
            raise Conflict(
                f"the dry run {run} ended without finishing ({state}): start another",
                vi=f"lần chạy thử {run} đã dừng mà chưa xong ({state}): hãy chạy thử lại",
            )
        try:
            return await handle.query(STATUS_QUERY, result_type=ReorganizationStatus, rpc_timeout=timedelta(seconds=2))
        except RPCError:  # no worker has answered yet
            return None

    async def apply(
        self, plan: Plan, code: str, today: date, *, batch_size: int, concurrency: int, pause_seconds: float
    ) -> bool:
        """Start the plan's workflow; False when it already runs (it then learns today's date)."""
        inputs = plan_input(
            plan, code, today, batch_size=batch_size, concurrency=concurrency, pause_seconds=pause_seconds
        )
        try:
            await self._client.start_workflow(
                WORKFLOW,
                inputs,
                id=workflow_id_for(code),
                task_queue=NOMINATION_TASK_QUEUE,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                execution_timeout=timedelta(days=3650),
            )
            return True
        except WorkflowAlreadyStartedError:
            handle = self._client.get_workflow_handle(workflow_id_for(code))
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                await handle.signal(BUSINESS_DATE_SIGNAL, today.isoformat())
            return False

    async def progress(self, code: str) -> dict[str, Any]:
        handle = self._client.get_workflow_handle(workflow_id_for(code), result_type=ReorganizationStatus)
        try:
            description = await handle.describe()
        except RPCError:  # not started yet is the common case
            return {"plan": code, "phase": "not_started"}
        try:
            if description.status == WorkflowExecutionStatus.COMPLETED:
                status = await handle.result()
            else:
                status = await handle.query(STATUS_QUERY, result_type=ReorganizationStatus)
        except RPCError as err:  # a busy worker did not answer the query in time
            raise Unavailable(f"the progress of {code} could not be read just now ({err}); try again") from None
        return {**status.__dict__}


def preview_key(code: str, run: str) -> str:
    """Where a dry run's per-nomination rows are kept in central's report (`transfer_outcome`)."""
    return f"{code}#dry-run-{run}"


def preview_workflow_id(code: str, run: str) -> str:
    return f"{workflow_id_for(code)}-preview-{run}"


def plan_input(plan: Plan, code: str, today: date, **options: Any) -> ReorganizationInput:
    """The workflow's input for `plan`, requested on the business date `today`."""
    return ReorganizationInput(
        plan_code=code,
        effective=plan.effective.isoformat(),
        legal_basis="; ".join(plan.legal_basis),
        today=today.isoformat(),
        **options,
    )
