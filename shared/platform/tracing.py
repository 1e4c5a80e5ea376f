"""The HTTP request id travels through Temporal: into the workflow's update, on to the activities it
starts, and so into the logs and events those activities write.

A request's id is in `REQUEST_ID` while the service serves it (services/kit/metrics.py). The client
side puts it in a header of every workflow call it makes; the workflow keeps it for the handler
that received it and puts it on each activity that handler starts; the activity side sets
`REQUEST_ID` and binds it to the log context while the activity runs, so an event the activity adds
to the outbox names the request that caused it. Work no request caused (a deadline's timer) carries
none. One interceptor, given to `Client.connect`, does all three (a worker built on that client uses
it too).
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

import structlog
import temporalio.activity
import temporalio.client
import temporalio.converter
import temporalio.worker
import temporalio.workflow
from temporalio.api.common.v1 import Payload

from shared.platform.logs import REQUEST_ID

HEADER = "tdkt-request-id"

# Inside the workflow sandbox: the request whose signal or update the workflow is handling, and the
# request that started the workflow, which only the run's first activity (the submission's record)
# carries: the run goes on for weeks, and what it does later is caused by later requests or timers.
_HANDLING: ContextVar[str | None] = ContextVar("tdkt_workflow_request", default=None)
_STARTING: ContextVar[str | None] = ContextVar("tdkt_workflow_start", default=None)


class _WithHeaders(Protocol):
    headers: Mapping[str, Payload]


def _converter() -> temporalio.converter.PayloadConverter:
    return temporalio.converter.default().payload_converter


def _stamp(call: _WithHeaders, request_id: str | None) -> None:
    if request_id:
        call.headers = {**call.headers, HEADER: _converter().to_payload(request_id)}


def _read(call: _WithHeaders) -> str | None:
    payload = call.headers.get(HEADER)
    return _converter().from_payload(payload, str) if payload else None


@contextmanager
def _handling(call: _WithHeaders, var: ContextVar[str | None] = _HANDLING) -> Iterator[None]:
    token = var.set(_read(call))
    try:
        yield
    finally:
        var.reset(token)


class RequestIdInterceptor(temporalio.client.Interceptor, temporalio.worker.Interceptor):
    def intercept_client(self, next: temporalio.client.OutboundInterceptor) -> temporalio.client.OutboundInterceptor:
        return _ClientOut(next)

    def intercept_activity(
        self, next: temporalio.worker.ActivityInboundInterceptor
    ) -> temporalio.worker.ActivityInboundInterceptor:
        return _ActivityIn(next)

    def workflow_interceptor_class(
        self, input: temporalio.worker.WorkflowInterceptorClassInput
    ) -> type[temporalio.worker.WorkflowInboundInterceptor]:
        return _WorkflowIn


class _ClientOut(temporalio.client.OutboundInterceptor):
    async def start_workflow(self, input: temporalio.client.StartWorkflowInput) -> Any:
        _stamp(input, REQUEST_ID.get())
        return await self.next.start_workflow(input)

    async def signal_workflow(self, input: temporalio.client.SignalWorkflowInput) -> None:
        _stamp(input, REQUEST_ID.get())
        await self.next.signal_workflow(input)

    async def start_workflow_update(self, input: temporalio.client.StartWorkflowUpdateInput) -> Any:
        _stamp(input, REQUEST_ID.get())
        return await self.next.start_workflow_update(input)


class _ActivityIn(temporalio.worker.ActivityInboundInterceptor):
    async def execute_activity(self, input: temporalio.worker.ExecuteActivityInput) -> Any:
        request_id = _read(input)
        if request_id is None:
            return await self.next.execute_activity(input)
        token = REQUEST_ID.set(request_id)
        try:
            with structlog.contextvars.bound_contextvars(request_id=request_id):
                return await self.next.execute_activity(input)
        finally:
            REQUEST_ID.reset(token)


class _WorkflowIn(temporalio.worker.WorkflowInboundInterceptor):
    def init(self, outbound: temporalio.worker.WorkflowOutboundInterceptor) -> None:
        self.next.init(_WorkflowOut(outbound))

    async def execute_workflow(self, input: temporalio.worker.ExecuteWorkflowInput) -> Any:
        with _handling(input, _STARTING):
            return await self.next.execute_workflow(input)

    async def handle_signal(self, input: temporalio.worker.HandleSignalInput) -> None:
        with _handling(input):
            await self.next.handle_signal(input)

    async def handle_update_handler(self, input: temporalio.worker.HandleUpdateInput) -> Any:
        with _handling(input):
            return await self.next.handle_update_handler(input)


class _WorkflowOut(temporalio.worker.WorkflowOutboundInterceptor):
    def start_activity(self, input: temporalio.worker.StartActivityInput) -> temporalio.workflow.ActivityHandle[Any]:
        starting = _STARTING.get()
        if starting:
            _STARTING.set(None)
        _stamp(input, _HANDLING.get() or starting)
        return self.next.start_activity(input)
