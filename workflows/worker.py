"""Workflow worker process: `python -m workflows.worker`.

Runs the NominationWorkflow and ReorganizationWorkflow code. The activities they schedule run in
the tier services' workers, each on its own tier's task queue, except `transfer_batch`, which sends
updates to nomination workflows and runs here.
"""

import asyncio

import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.client import Client
from temporalio.worker import Worker

from shared.contracts import activities as interfaces
from shared.contracts.activities import bound
from shared.contracts.tiers import NOMINATION_TASK_QUEUE
from shared.platform.logs import configure_logging
from shared.platform.payloads import DATA_CONVERTER
from shared.platform.tracing import RequestIdInterceptor
from workflows.batch.workflows import BatchWorkflow
from workflows.nomination.workflows import NominationWorkflow
from workflows.reorganization.activities import BatchActivities
from workflows.reorganization.workflows import ReorganizationWorkflow

log = structlog.get_logger()


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    log_level: str = "INFO"
    # Workflows kept in memory between their tasks (the SDK's default is 1,000). A workflow evicted
    # from the cache replays its whole history at its next task; a province's round holds a
    # BatchWorkflow per tờ trình in flight, and over the cache every task of a cycling round is a
    # replay (decision 0048).
    max_cached_workflows: int = Field(default=4_000, ge=100)


def build_worker(client: Client, settings: WorkerSettings | None = None) -> Worker:
    batches: interfaces.BatchActivities = BatchActivities(client)
    return Worker(
        client,
        task_queue=NOMINATION_TASK_QUEUE,
        workflows=[NominationWorkflow, BatchWorkflow, ReorganizationWorkflow],
        activities=bound(interfaces.BatchActivities, batches),
        max_cached_workflows=(settings or WorkerSettings()).max_cached_workflows,
    )


async def main(settings: WorkerSettings | None = None) -> None:
    settings = settings or WorkerSettings()
    configure_logging(settings.log_level, service="tdkt-workflows")
    client = await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        interceptors=[RequestIdInterceptor()],
        data_converter=DATA_CONVERTER,
    )
    log.info("worker.started", task_queue=NOMINATION_TASK_QUEUE)
    await build_worker(client, settings).run()


if __name__ == "__main__":
    asyncio.run(main())
