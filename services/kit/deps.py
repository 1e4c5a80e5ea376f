"""FastAPI dependencies every router uses: the request's transaction, the workflow port, settings."""

from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from services.kit.workflow_client import NominationClient
from shared.platform.db import transaction
from shared.platform.settings import ServiceSettings

# `openapi_extra` of a route anyone may call: the OpenAPI document shows it needs no token.
PUBLIC_ROUTE: dict[str, Any] = {"security": []}


async def db(request: Request):
    """One transaction per request: committed when the route returns, rolled back on error.

    Use it with `scope="function"`: FastAPI's default request scope would commit only after the
    response is sent, so a client could act on a 201 before its row exists.
    """
    async with request.app.state.kit.sessions() as session, session.begin():
        yield session


def workflows(request: Request) -> NominationClient:
    return request.app.state.kit.nominations


def temporal(request: Request) -> Client:
    """The Temporal client, for routes that start or read workflows other than a nomination's."""
    return request.app.state.kit.temporal


def settings(request: Request) -> ServiceSettings:
    """This service's settings: its tier, and the business date it treats as today."""
    return request.app.state.kit.settings


async def end_transaction(session: AsyncSession) -> None:
    """Commit the request's reads and writes before waiting on a workflow.

    A workflow update runs activities that write to this same database. Holding the request's
    transaction while waiting would make them wait for us (SQLite allows one writer; every
    transaction takes the write lock when it opens, see shared/platform/db.py) and ties up a connection on
    PostgreSQL. Do not use `session` afterwards; open `new_transaction(request)` to write again.
    """
    await session.commit()


def new_transaction(request: Request) -> AbstractAsyncContextManager[AsyncSession]:
    return transaction(request.app.state.kit.sessions)
