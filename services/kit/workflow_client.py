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
from collections.abc import Awaitable, Callable
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

from services.kit.errors import Conflict, DomainError, NotFound, Unavailable
from services.kit.temporal_calls import ask
from shared.contracts.batch import (
    BATCH_MEMBERS,
    BATCH_WORKFLOW,
    DECIDE_MANY,
    MEMBER_STATUS_QUERY,
    MEMBER_WORKFLOW_QUERY,
    SPLIT,
    BatchInput,
    BatchStatus,
    DecideItem,
    DecideManyInput,
    DecideManyResult,
    SplitInput,
    SplitResult,
    batch_workflow_id,
)
from shared.contracts.nomination import (
    DECIDE,
    STATUS_QUERY,
    WORKFLOW,
    DecisionInput,
    DecisionResult,
    NominationInput,
    NominationStatus,
    Update,
    workflow_id_for,
)
from shared.contracts.tiers import NOMINATION_TASK_QUEUE

I = TypeVar("I")  # noqa: E741
O = TypeVar("O")  # noqa: E741
T = TypeVar("T")

# How long a request waits for Temporal and the worker before answering 503: under the 10 s a
# person (and a proxy) waits, above the time a healthy update takes (tens of milliseconds).
BOUND_SECONDS = 8.0
IN_FLIGHT = 8  # starts and updates of this service under way at once; a bulk act attempts as many items
# Temporal not there, too slow, or refusing for now (RESOURCE_EXHAUSTED: among others, a workflow
# has its limit of updates in flight, 10 by default; one more waits its turn in the caller's retry).
AWAY = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.RESOURCE_EXHAUSTED)


# Which nominations travel in a BatchWorkflow, by id → that workflow's id (the others are absent):
# the service reads it from its reviews (`review.workflow_id`).
Locate = Callable[[list[str]], Awaitable[dict[str, str]]]


class _Alone:
    """An awardee split off its batch: it is addressed at its own workflow."""


ALONE = _Alone()
DECIDE_CHUNK = 100  # awardees one decide_many carries: one transaction at the tier, well within the bound


async def _nowhere(nomination_ids: list[str]) -> dict[str, str]:
    return {}


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
        locate: Locate | None = None,
        together: bool = False,
    ) -> None:
        self._client = client
        # A tờ trình's awardees start as BatchWorkflows (decision 0042), not one workflow each.
        self.together = together
        self._bound = bound
        self._turns = turns  # None: sent at once
        self._locate = locate or _nowhere
        self.many: NominationClient = (
            self
            if turns is not None
            else NominationClient(
                client, bound=bound, turns=asyncio.Semaphore(in_flight), locate=self._locate, together=together
            )
        )

    def _turn(self) -> AbstractAsyncContextManager[object]:
        return self._turns if self._turns is not None else nullcontext()

    async def start(self, nomination: NominationInput) -> str:
        """Idempotent: a second start for the same nomination returns the running workflow's id."""
        return await self._start(WORKFLOW, nomination, workflow_id_for(nomination.nomination_id))

    async def start_batch(self, batch: BatchInput, part: int = 0) -> str:
        """One BatchWorkflow for awardees sharing a route (decision 0042); idempotent as `start`."""
        first = batch.nominations[0]
        route = [s.agency_code for s in first.route]
        return await self._start(
            BATCH_WORKFLOW, batch, batch_workflow_id(first.proposer_agency, batch.batch_no, route, part)
        )

    async def _start(self, workflow: str, arg: object, wf_id: str) -> str:
        try:
            async with self._turn():
                await self._bounded(
                    self._client.start_workflow(
                        workflow,
                        arg,
                        id=wf_id,
                        task_queue=NOMINATION_TASK_QUEUE,
                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    )
                )
        except WorkflowAlreadyStartedError:
            pass
        return wf_id

    async def update(self, nomination_id: str, update: Update[I, O], request: I) -> O:
        """Send `update` and wait for its result; a refusal raises `DecisionRejected`. An awardee
        travelling in its tờ trình's BatchWorkflow is decided there; for any other act it is first
        split off into its own workflow (decision 0042)."""
        home = await self._home(nomination_id)
        if home is not None:
            if update.name != DECIDE.name:
                await self._split(home, nomination_id)
            else:
                outcome = (await self._decide_in(home, [(nomination_id, request)]))[0]  # type: ignore[list-item]
                if isinstance(outcome, DomainError):
                    raise outcome
                if not isinstance(outcome, _Alone):
                    return outcome  # type: ignore[return-value]
                if (again := await self._home(nomination_id)) is not None:  # it moved on meanwhile
                    return await self._decided_in(again, nomination_id, request)  # type: ignore[arg-type,return-value]
        return await self._single(nomination_id, update, request)

    async def _decided_in(self, wf_id: str, nomination_id: str, decision: DecisionInput) -> DecisionResult:
        outcome = (await self._decide_in(wf_id, [(nomination_id, decision)]))[0]
        if isinstance(outcome, DomainError):
            raise outcome
        if isinstance(outcome, _Alone):
            alone: DecisionResult = await self._single(nomination_id, DECIDE, decision)
            return alone
        return outcome

    async def _home(self, nomination_id: str) -> str | None:
        """The BatchWorkflow the nomination is decided in now (its reviews here name the one that
        opened them; it may have moved on in another since), or None: its own workflow."""
        batch = (await self._locate([nomination_id])).get(nomination_id)
        for _ in range(BATCH_MEMBERS):  # a chain: a batch → the batch its awardee moved on in → …
            if batch is None:
                return None
            try:
                where = await self._where(self._client.get_workflow_handle(batch), nomination_id)
            except RPCError as err:
                raise _not_found_or(err, nomination_id) from err
            if where == batch:
                return batch
            batch = where if where.startswith("batch-") else None
        return batch

    async def decide_all(self, decisions: list[tuple[str, DecisionInput]]) -> list[DecisionResult | DomainError | None]:
        """Many decisions, answered in order (None: not attempted, the engine had stopped answering):
        the awardees of a BatchWorkflow in one `decide_many` per `DECIDE_CHUNK`, the others one by
        one, `IN_FLIGHT` at a time."""
        located = await self._locate([nid for nid, _ in decisions])
        results: list[DecisionResult | DomainError | None] = [None] * len(decisions)
        groups: dict[str, list[int]] = {}
        for i, (nid, _) in enumerate(decisions):
            groups.setdefault(located.get(nid, ""), []).append(i)
        alone, gate, away = groups.pop("", []), asyncio.Semaphore(IN_FLIGHT), False

        async def single(i: int) -> None:
            nonlocal away
            async with gate:
                if away:
                    return
                try:
                    decided: DecisionResult = await self.update(decisions[i][0], DECIDE, decisions[i][1])
                    results[i] = decided
                except DomainError as err:
                    results[i], away = err, away or isinstance(err, Unavailable)

        async def batch(wf_id: str, indexes: list[int]) -> None:
            nonlocal away
            for start in range(0, len(indexes), DECIDE_CHUNK):
                chunk = indexes[start : start + DECIDE_CHUNK]
                if away:
                    return
                try:
                    outcomes = await self._decide_in(wf_id, [decisions[i] for i in chunk])
                except Unavailable as err:
                    results[chunk[0]], away = err, True
                    return
                for i, outcome in zip(chunk, outcomes, strict=True):
                    if isinstance(outcome, _Alone):
                        alone.append(i)
                    else:
                        results[i] = outcome

        await asyncio.gather(*(batch(wf_id, indexes) for wf_id, indexes in groups.items()))
        await asyncio.gather(*(single(i) for i in alone))  # each found where it is decided now
        return results

    async def _decide_in(
        self, wf_id: str, items: list[tuple[str, DecisionInput]]
    ) -> list[DecisionResult | DomainError | _Alone]:
        """`decide_many` on a BatchWorkflow; ALONE for an awardee that goes on in its own workflow."""
        handle = self._client.get_workflow_handle(wf_id)
        try:
            async with self._turn():
                answer = await self._bounded(
                    handle.execute_update(
                        DECIDE_MANY.name,
                        DecideManyInput([DecideItem(nid, d) for nid, d in items]),
                        result_type=DecideManyResult,
                    )
                )
        except WorkflowUpdateFailedError as err:  # no item could be decided
            if len(items) > 1:  # each alone says why
                return [(await self._decide_in(wf_id, [item]))[0] for item in items]
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == "SplitOff":
                return [ALONE]
            if isinstance(cause, ApplicationError):
                return [DecisionRejected(cause.message, cause.type)]
            return [DecisionRejected(str(cause or err))]
        except RPCError as err:
            if _closed(err):  # the batch ended, before or while this update came
                return await self._after_close(handle, items)
            raise _not_found_or(err, items[0][0]) from err
        return [
            o.result
            if o.result is not None
            else ALONE
            if o.kind == "SplitOff"
            else DecisionRejected(o.error or "", o.kind)
            for o in answer.outcomes
        ]

    async def _after_close(
        self, handle: WorkflowHandle, items: list[tuple[str, DecisionInput]]
    ) -> list[DecisionResult | DomainError | _Alone]:
        """For each awardee of an ended batch: already decided in it, or gone on elsewhere (ALONE).
        An ended workflow still answers queries."""
        answers: list[DecisionResult | DomainError | _Alone] = []
        for nomination_id, _ in items:
            where = await self._where(handle, nomination_id)
            ended_here = DecisionRejected(f"nomination {nomination_id} is already decided", "AlreadyDecided")
            answers.append(ended_here if where == handle.id else ALONE)
        return answers

    async def _split(self, wf_id: str, nomination_id: str) -> None:
        try:
            async with self._turn():
                await self._bounded(
                    self._client.get_workflow_handle(wf_id).execute_update(
                        SPLIT.name, SplitInput(nomination_id), result_type=SplitResult
                    )
                )
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            raise DecisionRejected(
                cause.message if isinstance(cause, ApplicationError) else str(cause or err),
                cause.type if isinstance(cause, ApplicationError) else None,
            ) from err
        except RPCError as err:
            if "completed" not in str(err).lower():  # ended: split off already, or decided (the single path says)
                raise _not_found_or(err, nomination_id) from err

    async def _where(self, handle: WorkflowHandle, nomination_id: str) -> str:
        """The workflow the batch's awardee is decided in now (a failed query of an ended one: its result)."""
        ended = (BatchStatus, lambda status: status.workflow_of(nomination_id, handle.id))
        return await ask(
            self._client, handle.id, MEMBER_WORKFLOW_QUERY, [nomination_id], str, bounded=self._bounded, ended=ended
        )

    async def _member(self, wf_id: str, nomination_id: str) -> NominationStatus:
        def from_result(status: BatchStatus) -> NominationStatus:
            if (member := status.member(nomination_id)) is None:
                raise NominationNotFound(f"nomination {nomination_id} is not in tờ trình {status.batch_no}")
            return member

        try:
            return await ask(
                self._client, wf_id, MEMBER_STATUS_QUERY, [nomination_id], NominationStatus, bounded=self._bounded,
                ended=(BatchStatus, from_result),
            )  # fmt: skip
        except RPCError as err:
            raise _not_found_or(err, nomination_id) from err

    async def _single(self, nomination_id: str, update: Update[I, O], request: I) -> O:
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
        home = await self._home(nomination_id)
        if home is not None:
            return await self._member(home, nomination_id)
        try:
            return await ask(
                self._client, workflow_id_for(nomination_id), STATUS_QUERY, [], NominationStatus, bounded=self._bounded,
                ended=(NominationStatus, lambda status: status),
            )  # fmt: skip
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


def _closed(err: RPCError) -> bool:
    """The workflow had ended, or ended while the update waited ("aborted by closing workflow")."""
    said = str(err).lower()
    return "completed" in said or "closing workflow" in said


def _not_found_or(err: RPCError, nomination_id: str) -> Exception:
    if "not found" in str(err).lower():
        return NominationNotFound(f"no workflow for nomination {nomination_id}")
    if "completed" in str(err).lower():
        return DecisionRejected(f"nomination {nomination_id} is already decided", "AlreadyDecided")
    return err
