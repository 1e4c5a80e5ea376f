"""The tier's port to the ReorganizationWorkflow: preview a plan, apply it, read its progress."""

import uuid
from datetime import date, timedelta
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from services.kit.errors import Unavailable
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

    async def preview(self, plan: Plan, code: str, today: date) -> str:
        """Run a dry-run workflow: every tier previews its nominations in flight into central's
        report under the key returned; nothing is applied or moved."""
        key = f"{code}#dry-run-{uuid.uuid4().hex[:8]}"
        await self._client.execute_workflow(
            WORKFLOW,
            plan_input(plan, code, today, dry_run=True, preview_key=key),
            id=f"{workflow_id_for(code)}-preview-{key.rsplit('-', 1)[-1]}",
            task_queue=NOMINATION_TASK_QUEUE,
            execution_timeout=timedelta(minutes=30),
            result_type=ReorganizationStatus,
        )
        return key

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


def plan_input(plan: Plan, code: str, today: date, **options: Any) -> ReorganizationInput:
    """The workflow's input for `plan`, requested on the business date `today`."""
    return ReorganizationInput(
        plan_code=code,
        effective=plan.effective.isoformat(),
        legal_basis="; ".join(plan.legal_basis),
        today=today.isoformat(),
        **options,
    )
