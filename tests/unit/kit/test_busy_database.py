"""SQLite allows one writer: a request that waited past the busy timeout for the write lock answers
503 with a readable message and Retry-After (nothing of it was written), not 500."""

import sqlite3

import httpx
from fastapi import APIRouter
from sqlalchemy.exc import OperationalError

from services.kit.app import create_app
from shared.contracts.tiers import Tier
from shared.platform.settings import ServiceSettings

router = APIRouter()


@router.get("/busy")
async def busy() -> None:
    raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))


@router.get("/broken")
async def broken() -> None:
    raise OperationalError("SELECT nope", {}, sqlite3.OperationalError("no such table: nope"))


async def test_a_request_that_waited_too_long_for_the_write_lock_answers_503():
    settings = ServiceSettings(tier=Tier.UNIT, database_url="sqlite+aiosqlite://")
    app = create_app(settings, title="test", description="test", routers=(router,))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/busy")
        assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
        assert "nothing was written: try again" in answer.json()["detail"]
        assert (await client.get("/broken")).status_code == 500  # any other database error is a defect
