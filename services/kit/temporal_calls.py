"""Calls to Temporal below the tier's port (`workflow_client.py`): the connection a service starts
with, once Temporal is up; a workflow's queries, and what answers them once the workflow has ended.

A worker answers a query on an ended workflow by replaying its whole history. That replay can fail
though the workflow ran and ended well: the SDK may replay an update accepted in the same workflow
task as an activity's completion in another order than it ran (seen after a Temporal restart, when
the worker took the workflow up cold; temporalio/sdk-python#1591), and the query then fails with a
nondeterminism error. The workflow's result says the same as its status query (both workflows end
by returning it), and the server keeps it: no replay is needed to read it. So a failed query on an
ended workflow is answered from that result; on a running one, the failure stands (logged: no
decision can be taken on that workflow either).
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowQueryFailedError

from shared.platform.payloads import DATA_CONVERTER
from shared.platform.tracing import RequestIdInterceptor

log = structlog.get_logger()
T = TypeVar("T")
R = TypeVar("R")

STARTUP_WAIT_SECONDS = 60.0


async def connect_when_up(address: str, namespace: str, *, wait: float = STARTUP_WAIT_SECONDS) -> Client:
    """The Temporal client a service starts with, waiting up to `wait` seconds for the server: a
    service restarted while Temporal is away (both killed, or started in any order) comes up once
    Temporal does instead of failing its start-up. Workers need a connected client, not a lazy one."""
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        try:
            return await Client.connect(
                address, namespace=namespace, interceptors=[RequestIdInterceptor()], data_converter=DATA_CONVERTER
            )
        except RuntimeError:  # the bridge's "Failed client connect"
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(1)


async def ask(
    client: Client,
    wf_id: str,
    query: str,
    args: list[Any],
    result_type: type[T],
    *,
    bounded: Callable[[Awaitable[Any]], Awaitable[Any]],
    ended: tuple[type[R], Callable[[R], T]],
) -> T:
    """The query's answer; for an ended workflow whose query fails, `ended[1]` of its result
    (of type `ended[0]`). `bounded` holds every call to Temporal within the service's bound."""
    handle = client.get_workflow_handle(wf_id)
    try:
        answer: T = await bounded(handle.query(query, args=args, result_type=result_type))
        return answer
    except WorkflowQueryFailedError as failed:
        described = await bounded(handle.describe())
        if described.status != WorkflowExecutionStatus.COMPLETED:
            log.error("workflow.query_failed", workflow_id=handle.id, query=query, error=str(failed)[:300])
            raise
        log.warning("workflow.query_answered_from_result", workflow_id=handle.id, query=query, error=str(failed)[:300])
        result_type_, answer_from = ended
        return answer_from(await bounded(client.get_workflow_handle(wf_id, result_type=result_type_).result()))
