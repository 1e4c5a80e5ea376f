"""Run one tier service: migrate its database, then serve HTTP with uvicorn, in one process or in
SERVICE_PROCESSES processes sharing the port (decision 0047)."""

import os
import shutil
import tempfile

import uvicorn

from services.kit.audit.witness import signer_of
from services.kit.migrate import migrate
from shared.platform.processes import SHARED
from shared.platform.settings import ServiceSettings


def serve(app: str, settings: ServiceSettings) -> None:
    """`app` is the import path of the tier's app factory, which each process calls."""
    migrate(settings.tier, settings.database_url)
    signer_of(settings)  # a key file is made once, here, not by each process at the same moment
    processes = settings.service_processes
    shared = tempfile.mkdtemp(prefix=f"tdkt-{settings.tier.value}-") if processes > 1 else None
    if shared:
        os.environ[SHARED] = shared  # the processes inherit it (shared/platform/processes.py)
    try:
        uvicorn.run(
            app,
            factory=True,
            workers=processes if shared else None,
            host=settings.http_host,
            port=settings.http_port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
    finally:
        if shared:
            shutil.rmtree(shared, ignore_errors=True)
