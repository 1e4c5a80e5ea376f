"""Activities the workflow worker runs itself: sending `transfer` updates to nomination workflows."""

import asyncio

from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from shared.contracts.batch import BATCH_WORKFLOW, SPLIT_ALL
from shared.contracts.nomination import TRANSFER, TransferInput, workflow_id_for
from shared.contracts.reorganization import OutcomeRow, TransferBatchArgs


class BatchActivities:
    def __init__(self, client: Client) -> None:
        self._client = client
        self._dissolving: asyncio.Lock = asyncio.Lock()

    @activity.defn
    async def transfer_batch(self, args: TransferBatchArgs) -> list[OutcomeRow]:
        """Transfer each nomination of the batch; the update id makes a retried batch a no-op."""
        gate = asyncio.Semaphore(max(1, args.concurrency))
        request = TransferInput(args.plan_code, args.effective, args.legal_basis)
        done = 0

        async def one(nomination_id: str) -> OutcomeRow:
            nonlocal done
            async with gate:
                row = await self._transfer(nomination_id, request)
                done += 1
                activity.heartbeat(done)
                return row

        return list(await asyncio.gather(*(one(n) for n in args.nomination_ids)))

    async def _transfer(self, nomination_id: str, request: TransferInput, again: bool = True) -> OutcomeRow:
        handle = self._client.get_workflow_handle(workflow_id_for(nomination_id))
        try:
            outcome = await handle.execute_update(
                TRANSFER.name, request, id=f"transfer-{request.plan_code}", result_type=TRANSFER.result
            )
        except WorkflowUpdateFailedError as err:
            return OutcomeRow(nomination_id, "failed", "", detail=str(err.cause or err))
        except RPCError as err:
            if "completed" in str(err).lower():
                return OutcomeRow(nomination_id, "final", "", detail="the nomination is already decided")
            if err.status == RPCStatusCode.NOT_FOUND and again:  # travelling in its tờ trình's workflow
                await self._dissolve_batches()
                return await self._transfer(nomination_id, request, again=False)
            raise
        return OutcomeRow(
            nomination_id, outcome.outcome, outcome.from_agency, outcome.to_agency, outcome.rule, outcome.detail
        )

    async def _dissolve_batches(self) -> None:
        """Every running BatchWorkflow lets its awardees go on alone (decision 0042), so that each
        can be transferred as any nomination is. Done once by however many transfers found none."""
        async with self._dissolving:
            query = f"WorkflowType = '{BATCH_WORKFLOW}' AND ExecutionStatus = 'Running'"
            async for execution in self._client.list_workflows(query):
                handle = self._client.get_workflow_handle(execution.id)
                try:
                    await handle.execute_update(SPLIT_ALL.name, result_type=SPLIT_ALL.result)
                except RPCError as err:
                    if "completed" not in str(err).lower():
                        raise
