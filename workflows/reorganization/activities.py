"""Activities the workflow worker runs itself: sending `transfer` updates to nomination workflows."""

import asyncio

from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from shared.contracts.nomination import TRANSFER, TransferInput, workflow_id_for
from shared.contracts.reorganization import OutcomeRow, TransferBatchArgs


class BatchActivities:
    def __init__(self, client: Client) -> None:
        self._client = client

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

    async def _transfer(self, nomination_id: str, request: TransferInput) -> OutcomeRow:
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
            raise
        return OutcomeRow(
            nomination_id, outcome.outcome, outcome.from_agency, outcome.to_agency, outcome.rule, outcome.detail
        )
