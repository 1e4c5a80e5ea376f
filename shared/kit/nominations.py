"""Port to the NominationWorkflow: start, decide, resubmit, status, with errors made readable."""

from dataclasses import asdict

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError

from shared.tiers import NOMINATION_TASK_QUEUE
from workflows.nomination.inputs import (
    DecisionInput,
    DecisionResult,
    HoldInput,
    NominationInput,
    NominationStatus,
    ResubmitInput,
    WithdrawInput,
)
from workflows.nomination.workflows import NominationWorkflow, workflow_id_for


class DecisionRejected(Exception):
    """The workflow's validator refused the request; `str()` says why."""

    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind


class NominationNotFound(Exception):
    pass


def _rejection(err: WorkflowUpdateFailedError) -> DecisionRejected:
    cause = err.cause
    if isinstance(cause, ApplicationError):
        return DecisionRejected(cause.message, cause.type)
    return DecisionRejected(str(cause or err))


class NominationClient:
    def __init__(self, client: Client) -> None:
        self._client = client

    async def start(self, nomination: NominationInput) -> str:
        """Idempotent: a second start for the same nomination returns the running workflow's id."""
        wf_id = workflow_id_for(nomination.nomination_id)
        try:
            await self._client.start_workflow(
                NominationWorkflow.run,
                nomination,
                id=wf_id,
                task_queue=NOMINATION_TASK_QUEUE,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            pass
        return wf_id

    def _handle(self, nomination_id: str):  # type: ignore[no-untyped-def]
        return self._client.get_workflow_handle_for(NominationWorkflow.run, workflow_id_for(nomination_id))

    async def decide(self, nomination_id: str, decision: DecisionInput) -> DecisionResult:
        try:
            return await self._handle(nomination_id).execute_update(NominationWorkflow.decide, decision)
        except WorkflowUpdateFailedError as err:
            raise _rejection(err) from err
        except RPCError as err:
            raise _not_found_or(err, nomination_id) from err

    async def resubmit(self, nomination_id: str, request: ResubmitInput) -> NominationStatus:
        try:
            return await self._handle(nomination_id).execute_update(NominationWorkflow.resubmit, request)
        except WorkflowUpdateFailedError as err:
            raise _rejection(err) from err
        except RPCError as err:
            raise _not_found_or(err, nomination_id) from err

    async def withdraw(self, nomination_id: str, request: WithdrawInput) -> NominationStatus:
        try:
            return await self._handle(nomination_id).execute_update(NominationWorkflow.withdraw, request)
        except WorkflowUpdateFailedError as err:
            raise _rejection(err) from err
        except RPCError as err:
            raise _not_found_or(err, nomination_id) from err

    async def hold(self, nomination_id: str, request: HoldInput) -> NominationStatus:
        """Put the nomination on hold: its deadline clock stops until `release`."""
        return await self._update(nomination_id, NominationWorkflow.hold, request)

    async def release(self, nomination_id: str, request: HoldInput) -> NominationStatus:
        return await self._update(nomination_id, NominationWorkflow.release, request)

    async def _update(self, nomination_id: str, update, request):  # type: ignore[no-untyped-def]
        try:
            return await self._handle(nomination_id).execute_update(update, request)
        except WorkflowUpdateFailedError as err:
            raise _rejection(err) from err
        except RPCError as err:
            raise _not_found_or(err, nomination_id) from err

    async def status(self, nomination_id: str) -> NominationStatus:
        try:
            return await self._handle(nomination_id).query(NominationWorkflow.status)
        except RPCError as err:
            raise _not_found_or(err, nomination_id) from err


def _not_found_or(err: RPCError, nomination_id: str) -> Exception:
    if "not found" in str(err).lower():
        return NominationNotFound(f"no workflow for nomination {nomination_id}")
    if "completed" in str(err).lower():
        return DecisionRejected(f"nomination {nomination_id} is already decided", "AlreadyDecided")
    return err


__all__ = ["NominationClient", "DecisionRejected", "NominationNotFound", "asdict"]
