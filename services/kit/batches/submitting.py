"""Submitting a tờ trình: every draft checked and frozen in one transaction (all or none), then each
nomination's workflow started on its own, `IN_FLIGHT` at a time. Starting is idempotent by the
workflow's id, so when the engine stops answering, the answer says which did not start and
submitting again starts them."""

import asyncio
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.batches.service import prepare_batch
from services.kit.errors import Unavailable
from services.kit.identity.service import Caller
from services.kit.workflow_client import IN_FLIGHT, NominationClient
from shared.contracts.batch import BATCH_MEMBERS, BatchInput
from shared.contracts.nomination import NominationInput


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
    gate = asyncio.Semaphore(IN_FLIGHT)
    away: Unavailable | None = None

    async def start(prepared: NominationInput) -> dict[str, Any]:
        nonlocal away
        async with gate:
            if away is not None:  # each would wait for the engine in vain: submitting again starts them
                return {"nomination_id": prepared.nomination_id, "error": f"not started: {away}"}
            try:
                return {"nomination_id": prepared.nomination_id, "workflow_id": await workflow.many.start(prepared)}
            except Unavailable as err:
                away = away or err
                return {"nomination_id": prepared.nomination_id, "error": str(err)}

    if workflow.together:
        return {"batch_id": batch_id, "number": number, "started": await _start_together(workflow, number, inputs)}
    started = await asyncio.gather(*(start(prepared) for prepared in inputs))
    return {"batch_id": batch_id, "number": number, "started": list(started)}


async def _start_together(
    workflow: NominationClient, number: str, inputs: list[NominationInput]
) -> list[dict[str, Any]]:
    """One BatchWorkflow per route and `BATCH_MEMBERS` awardees (decision 0042), started in order;
    once the engine stops answering, the rest are not started (submitting again starts them)."""
    routes: dict[tuple[str, ...], list[NominationInput]] = {}
    for prepared in inputs:
        routes.setdefault(tuple(s.agency_code for s in prepared.route), []).append(prepared)
    started: dict[str, dict[str, Any]] = {}
    away: Unavailable | None = None
    for members in routes.values():
        for part, first in enumerate(range(0, len(members), BATCH_MEMBERS)):
            chunk = members[first : first + BATCH_MEMBERS]
            try:
                if away is not None:
                    raise away
                wf_id = await workflow.many.start_batch(BatchInput(number, chunk), part)
                started |= {m.nomination_id: {"nomination_id": m.nomination_id, "workflow_id": wf_id} for m in chunk}
            except Unavailable as err:
                away = away or err
                started |= {m.nomination_id: {"nomination_id": m.nomination_id, "error": str(err)} for m in chunk}
    return [started[prepared.nomination_id] for prepared in inputs]
