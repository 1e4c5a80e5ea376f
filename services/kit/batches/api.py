"""A tờ trình for many nominees, and a decision conferring on many, over HTTP. Routes stay thin."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.batches.candidates import import_candidates
from services.kit.batches.deciding import decide_on_many
from services.kit.batches.schemas import BatchIn, BatchItemsIn, ManyDecisionIn, ManyReviewsIn
from services.kit.batches.service import (
    add_to_batch,
    attach_to_all,
    batch_out,
    create_batch,
    decision_of,
    decisions_of,
    own_batch,
)
from services.kit.batches.submitting import submit_batch
from services.kit.bodies.schemas import ImportIn
from services.kit.deps import db, settings
from services.kit.dossier.schemas import DocumentIn
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from services.kit.nominations.models import ProposalBatch
from services.kit.reviews.bulk import DECISION_ITEMS, Bulk
from shared.platform.settings import ServiceSettings

router = APIRouter(tags=["batches"])
Session = Depends(db, scope="function")


@router.post("/batches", status_code=201, summary="Number a tờ trình that will propose many nominees")
async def new_batch(
    body: BatchIn, caller: Caller = Depends(current_officer), session: AsyncSession = Session
) -> dict[str, Any]:
    require(caller, "propose")
    batch = await create_batch(session, caller=caller, number=body.number, title=body.title)
    return await batch_out(session, batch)


@router.get("/batches", summary="The agency's tờ trình for many nominees")
async def list_batches(
    caller: Caller = Depends(current_officer), session: AsyncSession = Session
) -> list[dict[str, Any]]:
    rows = await session.exec(
        select(ProposalBatch)
        .where(ProposalBatch.proposer_agency == caller.agency_code)
        .order_by(col(ProposalBatch.created_at))
    )
    return [b.model_dump(mode="json") for b in rows.all()]


@router.get("/batches/{batch_id}", summary="A tờ trình and each awardee's status, verdict and outcome")
async def get_batch(
    batch_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Session
) -> dict[str, Any]:
    return await batch_out(session, await own_batch(session, caller, batch_id))


@router.post("/batches/{batch_id}/nominations", summary="Put the agency's drafts in the tờ trình")
async def add(
    batch_id: str, body: BatchItemsIn, caller: Caller = Depends(current_officer), session: AsyncSession = Session
) -> dict[str, Any]:
    require(caller, "propose")
    batch = await add_to_batch(session, caller=caller, batch_id=batch_id, nomination_ids=body.nomination_ids)
    await session.flush()
    return await batch_out(session, batch)


@router.post(
    "/batches/{batch_id}/import", summary="Candidates for the base titles from a CSV or XLSX file, all or nothing"
)
async def import_file(
    batch_id: str, body: ImportIn, caller: Caller = Depends(current_officer), session: AsyncSession = Session,
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:  # fmt: skip
    require(caller, "propose")
    return await import_candidates(
        session, caller=caller, batch_id=batch_id, filename=body.filename, content=body.content(),
        dry_run=body.dry_run, today=config.today(),
    )  # fmt: skip


@router.post("/batches/{batch_id}/documents", status_code=201, summary="One document in every draft of the tờ trình")
async def attach(
    batch_id: str, body: DocumentIn, caller: Caller = Depends(current_officer), session: AsyncSession = Session
) -> dict[str, Any]:
    require(caller, "propose")
    return {"attached_to": await attach_to_all(session, caller=caller, batch_id=batch_id, **body.model_dump())}


@router.post(
    "/batches/{batch_id}/submit",
    status_code=202,
    summary="Submit every draft of the tờ trình, all or none; each starts its own route",
)
async def submit(batch_id: str, request: Request, caller: Caller = Depends(current_officer)) -> dict[str, Any]:
    require(caller, "propose")
    kit = request.app.state.kit
    return await submit_batch(
        kit.sessions, kit.nominations, caller=caller, batch_id=batch_id, today=kit.settings.today()
    )


@router.post(
    "/decisions",
    summary="Confer on many under one decision number, each awardee on its own (chair, admin); a tờ trình "
    f"of more than {DECISION_ITEMS} awardees takes one request per {DECISION_ITEMS}",
)
async def confer_many(
    body: ManyDecisionIn, request: Request, caller: Caller = Depends(current_officer)
) -> dict[str, Any]:
    kit, bulk = request.app.state.kit, Bulk("confer", body.nomination_ids, body.reason, decision_no=body.decision_no)
    decided = await decide_on_many(
        kit.sessions, kit.nominations, caller=caller, tier=kit.settings.tier, today=kit.settings.today(), bulk=bulk,
        batch_no=body.batch_no,
    )  # fmt: skip
    return decided.answered(bulk, done="conferred")


@router.post(
    "/reviews/decisions",
    summary="Forward, return or confer many nominations pending here (a tờ trình's awardees, or named), each "
    f"on its own; a tờ trình of more than {DECISION_ITEMS} takes one request per {DECISION_ITEMS}",
)
async def decide_many(
    body: ManyReviewsIn, request: Request, caller: Caller = Depends(current_officer)
) -> dict[str, Any]:
    kit, bulk = request.app.state.kit, Bulk(body.action, body.nomination_ids, body.reason, decision_no=body.decision_no)
    decided = await decide_on_many(
        kit.sessions,
        kit.nominations,
        caller=caller,
        tier=kit.settings.tier,
        today=kit.settings.today(),
        bulk=bulk,
        batch_no=body.batch_no,
    )
    return decided.answered(bulk)


@router.get("/decisions", summary="The caller's agency's decisions conferring awards, the latest first, 50 a page")
async def list_decisions(
    page: Annotated[int, Query(ge=1, le=100_000, description="Which page of 50")] = 1,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Session,
) -> dict[str, Any]:
    return await decisions_of(session, caller=caller, page=page)


@router.get("/decisions/{decision_no:path}", summary="A decision of the caller's agency: its awardees and bonuses")
async def get_decision(
    decision_no: str, caller: Caller = Depends(current_officer), session: AsyncSession = Session
) -> dict[str, Any]:
    return await decision_of(session, caller=caller, number=decision_no)
