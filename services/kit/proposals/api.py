"""The proposer's routes: draft, attach, submit, resubmit, withdraw. Routes stay thin."""

from fastapi import APIRouter, Depends, Request
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db, end_transaction, new_transaction, settings, workflows
from services.kit.dossier.schemas import DocumentIn, DocumentOut
from services.kit.dossier.service import (
    add_document,
    documents_of,
    supplement_manifest,
)
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from services.kit.nominations.models import Nomination
from services.kit.nominations.service import own_nomination
from services.kit.proposals.schemas import DraftIn, NominationOut, ResubmitIn
from services.kit.proposals.service import (
    create_draft,
    prepare_resubmission,
    prepare_submission,
    submitted_nomination,
)
from services.kit.workflow_client import NominationClient
from shared.contracts.nomination import (
    RESUBMIT,
    WITHDRAW,
    NominationStatus,
    WithdrawInput,
)
from shared.platform.settings import ServiceSettings

router = APIRouter()


async def _nomination_out(session: AsyncSession, nomination) -> NominationOut:
    docs = await documents_of(session, nomination.id)
    return NominationOut(
        **nomination.model_dump(),
        documents=[DocumentOut(**d.model_dump(exclude={"content"})) for d in docs],
    )


@router.post(
    "/nominations",
    status_code=201,
    response_model=NominationOut,
    tags=["nominations"],
    summary="Draft a nomination (đề nghị khen thưởng) at the caller's agency",
)
async def draft(
    body: DraftIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
):
    require(caller, "propose")
    nomination = await create_draft(session, caller=caller, on=config.today(), **body.model_dump())
    await session.flush()
    return await _nomination_out(session, nomination)


@router.get(
    "/nominations",
    response_model=list[NominationOut],
    tags=["nominations"],
    summary="Nominations proposed by the caller's agency, with their outcome",
)
async def my_nominations(
    caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    rows = await session.exec(
        select(Nomination).where(Nomination.proposer_agency == caller.agency_code).order_by(col(Nomination.created_at))
    )
    return [await _nomination_out(session, n) for n in rows.all()]


@router.get(
    "/nominations/{nomination_id}",
    response_model=NominationOut,
    tags=["nominations"],
    summary="One of the caller's agency's nominations, with documents and outcome",
)
async def one_nomination(
    nomination_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    nomination = await own_nomination(session, caller=caller, nomination_id=nomination_id)
    return await _nomination_out(session, nomination)


@router.post(
    "/nominations/{nomination_id}/documents",
    status_code=201,
    response_model=DocumentOut,
    tags=["nominations"],
    summary="Attach a document with its SHA-256 checksum to a draft",
)
async def attach(
    nomination_id: str,
    body: DocumentIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    require(caller, "propose")
    document = await add_document(session, caller=caller, nomination_id=nomination_id, **body.model_dump())
    return DocumentOut(**document.model_dump(exclude={"content"}))


@router.post(
    "/nominations/{nomination_id}/submit",
    status_code=202,
    tags=["nominations"],
    summary="Submit a draft: its route is fixed and its workflow starts (idempotent)",
)
async def submit(
    nomination_id: str,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    wf: NominationClient = Depends(workflows),
) -> dict:
    require(caller, "propose")
    nomination_input, plan = await prepare_submission(
        session, caller=caller, nomination_id=nomination_id, today=request.app.state.kit.settings.today()
    )
    workflow_id = await wf.start(nomination_input)
    return {
        "nomination_id": nomination_id,
        "workflow_id": workflow_id,
        "route": [s.__dict__ for s in plan.steps],
        "explanation": plan.explanation,
    }


@router.post(
    "/nominations/{nomination_id}/resubmit",
    tags=["nominations"],
    summary="Resubmit a returned nomination; review resumes where it was returned",
)
async def resubmit(
    nomination_id: str,
    body: ResubmitIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    wf: NominationClient = Depends(workflows),
) -> NominationStatus:
    require(caller, "propose")
    resubmission = await prepare_resubmission(session, caller=caller, nomination_id=nomination_id, reason=body.reason)
    await end_transaction(session)
    status_now = await wf.update(nomination_id, RESUBMIT, resubmission)
    async with new_transaction(request) as fresh:
        # Frozen again once the workflow has accepted it: verification covers the supplement.
        await supplement_manifest(fresh, nomination_id, caller.agency_code, actor=caller.officer_id)
    return status_now


@router.post(
    "/nominations/{nomination_id}/withdraw",
    tags=["nominations"],
    summary="Withdraw a nomination before a decision on it (the proposer only)",
)
async def withdraw(
    nomination_id: str,
    body: ResubmitIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    wf: NominationClient = Depends(workflows),
) -> NominationStatus:
    require(caller, "propose")
    await submitted_nomination(session, caller=caller, nomination_id=nomination_id, action="withdraw")
    await end_transaction(session)
    return await wf.update(nomination_id, WITHDRAW, WithdrawInput(caller.agency_code, caller.officer_id, body.reason))
