"""Submitting a tờ trình: every draft checked and frozen in one transaction (all or none), then each
nomination's workflow started on its own. Starting is idempotent by the workflow's id, so when the
engine stops answering, the answer says which did not start and submitting again starts them."""

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.batches.service import prepare_batch
from services.kit.errors import Unavailable
from services.kit.identity.service import Caller
from services.kit.workflow_client import NominationClient


async def submit_batch(
    sessions: async_sessionmaker[AsyncSession],
    workflow: NominationClient,
    *,
    caller: Caller,
    batch_id: str,
    today: date,
) -> dict[str, Any]:
    async with sessions() as session, session.begin():
        batch, inputs = await prepare_batch(session, caller=caller, batch_id=batch_id, today=today)
        number = batch.number
    started: list[dict[str, Any]] = []
    for prepared in inputs:
        try:
            started.append({"nomination_id": prepared.nomination_id, "workflow_id": await workflow.start(prepared)})
        except Unavailable as away:
            started.append({"nomination_id": prepared.nomination_id, "error": str(away)})
    return {"batch_id": batch_id, "number": number, "started": started}
