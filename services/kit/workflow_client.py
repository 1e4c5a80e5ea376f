"""The tier's port to the NominationWorkflow: start it, send it updates, ask its status.

Temporal's failures become domain errors here, once: the validator's refusal is a `Conflict` that
says why, a nomination without a workflow is `NotFound`, and a Temporal server or worker that does
not answer within `bound` seconds is `Unavailable` (503): a request never hangs on them.

Work on many (a tờ trình's submission, a bulk decision) goes through `.many`: at most `in_flight`
of its starts and updates are under way at once, whatever the number of requests sending them, and
the others wait their turn before their bound starts, so a busy round queues here rather than
timing out in Temporal. A person's single act does not queue behind that work: it is sent at once,
and answers within the bound.
"""

import asyncio
from collections.abc import Awaitable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import TypeVar

from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from services.kit.errors import Conflict, NotFound, Unavailable
from shared.contracts.nomination import (
    STATUS_QUERY,
    WORKFLOW,
    NominationInput,
    NominationStatus,
    Update,
    workflow_id_for,
)
from shared.contracts.tiers import NOMINATION_TASK_QUEUE
from shared.platform.tracing import RequestIdInterceptor

STARTUP_WAIT_SECONDS = 60.0


async def connect_when_up(address: str, namespace: str, *, wait: float = STARTUP_WAIT_SECONDS) -> Client:
    """The Temporal client a service starts with, waiting up to `wait` seconds for the server: a
    service restarted while Temporal is away (both killed, or started in any order) comes up once
    Temporal does instead of failing its start-up. Workers need a connected client, not a lazy one."""
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        try:
            return await Client.connect(address, namespace=namespace, interceptors=[RequestIdInterceptor()])
        except RuntimeError:  # the bridge's "Failed client connect"
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(1)


I = TypeVar("I")  # noqa: E741
O = TypeVar("O")  # noqa: E741
T = TypeVar("T")

# How long a request waits for Temporal and the worker before answering 503: under the 10 s a
# person (and a proxy) waits, above the time a healthy update takes (tens of milliseconds).
BOUND_SECONDS = 8.0
IN_FLIGHT = 8  # starts and updates of this service under way at once; a bulk act attempts as many items
AWAY = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)


class DecisionRejected(Conflict):
    """The workflow's validator refused the request; `str()` says why, `kind` is its error type."""

    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message, kind)


class NominationNotFound(NotFound):
    pass


class NominationClient:
    def __init__(
        self,
        client: Client,
        *,
        bound: float = BOUND_SECONDS,
        in_flight: int = IN_FLIGHT,
        turns: asyncio.Semaphore | None = None,
    ) -> None:
        self._client = client
        self._bound = bound
        self._turns = turns  # None: sent at once
        self.many: NominationClient = (
            self if turns is not None else NominationClient(client, bound=bound, turns=asyncio.Semaphore(in_flight))
        )

    def _turn(self) -> AbstractAsyncContextManager[object]:
        return self._turns if self._turns is not None else nullcontext()

    async def start(self, nomination: NominationInput) -> str:
        """Idempotent: a second start for the same nomination returns the running workflow's id."""
        wf_id = workflow_id_for(nomination.nomination_id)
        try:
            async with self._turn():
                await self._bounded(
                    self._client.start_workflow(
                        WORKFLOW,
                        nomination,
                        id=wf_id,
                        task_queue=NOMINATION_TASK_QUEUE,
                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    )
                )
        except WorkflowAlreadyStartedError:
            pass
        return wf_id

    async def update(self, nomination_id: str, update: Update[I, O], request: I) -> O:
        """Send `update` and wait for its result; a refusal raises `DecisionRejected`."""
        try:
            async with self._turn():
                return await self._bounded(
                    self._handle(nomination_id).execute_update(update.name, request, result_type=update.result)
                )
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError):
                raise DecisionRejected(cause.message, cause.type) from err
            raise DecisionRejected(str(cause or err)) from err
        except RPCError as err:
            raise _not_found_or(err, nomination_id) from err

    async def status(self, nomination_id: str) -> NominationStatus:
        try:
            return await self._bounded(self._handle(nomination_id).query(STATUS_QUERY, result_type=NominationStatus))
        except RPCError as err:
            raise _not_found_or(err, nomination_id) from err

    async def _bounded(self, call: Awaitable[T]) -> T:
        """`call`, or `Unavailable` when Temporal or the worker does not answer within the bound."""
        try:
            async with asyncio.timeout(self._bound):
                return await call
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):  # the SDK turns our timeout into the latter
            raise _away(f"no answer within {self._bound:g} s") from None
        except RPCError as err:
            if err.status in AWAY:
                raise _away(err.message) from err
            raise
        except RuntimeError as err:
            if "client connect" not in str(err):  # the SDK's "Failed client connect": no server there
                raise
            raise _away(str(err)) from err

    def _handle(self, nomination_id: str) -> WorkflowHandle:
        return self._client.get_workflow_handle(workflow_id_for(nomination_id))


def _away(cause: str) -> Unavailable:
    return Unavailable(
        f"the workflow engine (Temporal) or its worker is not answering ({cause[:120]}): the request may "
        f"or may not have been applied; look at the nomination's status before repeating it "
        f"(hệ thống điều phối quy trình chưa phản hồi; hãy kiểm tra trạng thái hồ sơ trước khi thử lại)"
    )


def _not_found_or(err: RPCError, nomination_id: str) -> Exception:
    if "not found" in str(err).lower():
        return NominationNotFound(f"no workflow for nomination {nomination_id}")
    if "completed" in str(err).lower():
        return DecisionRejected(f"nomination {nomination_id} is already decided", "AlreadyDecided")
    return err
