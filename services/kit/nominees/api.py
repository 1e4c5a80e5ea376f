"""Nominees and their histories: registered and written by the managing agency, read by the
agencies their nominations pass through. Who may do what is asked of `management`."""

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db, settings
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from services.kit.nominees.management import PROFILE, nominees_of, register_nominee, require_history_reader
from services.kit.nominees.schemas import FactRecord, FactsIn, NomineeIn, NomineeOut, RetractIn
from services.kit.nominees.service import record_facts, records_of, retract_fact
from shared.platform.settings import ServiceSettings

router = APIRouter(prefix="/nominees", tags=["nominees"])


@router.post(
    "",
    status_code=201,
    response_model=NomineeOut,
    summary="Register a nominee the caller's agency manages: its staff, a team, a household (idempotent); "
    "an individual's position category, sex and ethnicity, given again, change the registered ones",
)
async def register(
    body: NomineeIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> Any:
    require(caller, "record_facts")
    nominee, _ = await register_nominee(
        session,
        caller=caller,
        nominee_id=body.id,
        kind=body.kind,
        name=body.name,
        on=config.today(),
        profile=body.model_dump(include=set(PROFILE)),
    )
    return nominee


@router.get(
    "", response_model=list[NomineeOut], summary="The caller's agency's nominees, by name with or without diacritics"
)
async def list_nominees(
    q: str | None = Query(default=None, max_length=100, description="Part of a name ('nguyen thi lan') or an id"),
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> Any:
    return await nominees_of(session, caller.agency_code, query=q, limit=limit)


@router.post(
    "/{nominee_id}/facts",
    status_code=201,
    summary="Record facts of a nominee's history (the managing agency only; idempotent); others learn by events",
)
async def post_facts(
    nominee_id: str,
    body: FactsIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    require(caller, "record_facts")
    fresh = await record_facts(session, caller=caller, nominee_id=nominee_id, facts=body.facts, on=config.today())
    return {"nominee_id": nominee_id, "recorded": len(fresh), "already_known": len(body.facts) - len(fresh)}


@router.post(
    "/{nominee_id}/facts/{fact_key}/retract",
    response_model=FactRecord,
    summary="Retract a fact recorded in error, with a reason (the recording agency only); every service learns it",
)
async def retract(
    nominee_id: str,
    fact_key: str,
    body: RetractIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> Any:
    require(caller, "record_facts")
    return await retract_fact(session, caller=caller, nominee_id=nominee_id, fact_key=fact_key, reason=body.reason)


@router.get(
    "/{nominee_id}/history",
    summary="The nominee's history as this service holds it (the managing agency, and agencies on a route "
    "concerning the nominee): the facts the rules judge, and every record with its retraction",
)
async def nominee_history(
    nominee_id: str,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    await require_history_reader(session, caller, nominee_id, config.today())
    records = await records_of(session, nominee_id)
    return {
        "nominee_id": nominee_id,
        "facts": [r.fact for r in records if r.retracted_at is None],
        "records": [FactRecord(**r.model_dump()) for r in records],
    }
