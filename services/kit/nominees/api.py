"""Nominee histories: facts recorded by the managing agency, the history as held here."""

from typing import Any

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from services.kit.nominees.schemas import FactsIn
from services.kit.nominees.service import facts_of, record_facts

router = APIRouter()


@router.post(
    "/nominees/{nominee_id}/facts",
    status_code=201,
    tags=["nominees"],
    summary="Record facts of a nominee's history at the caller's agency (idempotent); others learn by events",
)
async def post_facts(
    nominee_id: str,
    body: FactsIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    require(caller, "record_facts")
    fresh = await record_facts(session, caller=caller, nominee_id=nominee_id, facts=body.facts)
    return {"nominee_id": nominee_id, "recorded": len(fresh), "already_known": len(body.facts) - len(fresh)}


@router.get(
    "/nominees/{nominee_id}/history", tags=["nominees"], summary="The nominee's history as this service holds it"
)
async def nominee_history(
    nominee_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, Any]:
    return {"nominee_id": nominee_id, "facts": await facts_of(session, nominee_id)}
