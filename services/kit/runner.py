"""Run one tier service as a process: migrate its database, then serve HTTP with uvicorn."""

import uvicorn
from fastapi import FastAPI

from services.kit.migrate import migrate
from shared.platform.settings import ServiceSettings


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    migrate(settings.tier, settings.database_url)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
