"""HTTP routes every tier serves: dossiers, inbox, decisions, history, audit. Routes stay thin."""

from fastapi import APIRouter, Depends, HTTPException, Request, status
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.audit import verify_chain
from shared.kit.auth import Caller, current_officer, require_role
from shared.kit.deps import DECIDING_ROLES, PROPOSING_ROLES, db, end_transaction, new_transaction, workflows
from shared.kit.dossier import level_manifest, proposer_manifest, supplement_manifest
from shared.kit.nominations import DecisionRejected, NominationClient, NominationNotFound
from shared.kit.readiness import forward_problems
from shared.kit.schemas import (
    AuditOut,
    ChainOut,
    DecisionIn,
    DocumentIn,
    DocumentOut,
    DraftIn,
    HoldIn,
    NominationOut,
    ResubmitIn,
    ReviewOut,
)
from shared.kit.service import (
    add_document,
    create_draft,
    documents_of,
    history,
    inbox,
    own_nomination,
    pending_review,
    prepare_submission,
)
from shared.models import Nomination
from shared.rules.catalog import default_catalog
from shared.tiers import Tier
from workflows.nomination.inputs import (
    DecisionInput,
    DecisionResult,
    HoldInput,
    NominationStatus,
    ResubmitInput,
    WithdrawInput,
)

router = APIRouter()


@router.get("/health", tags=["ops"], summary="Liveness (no authentication)")
async def health(request: Request) -> dict[str, str]:
    settings = request.app.state.kit.settings
    return {"status": "ok", "tier": settings.tier.value, "business_date": settings.today().isoformat()}


@router.get("/me", tags=["officers"], summary="Who the token belongs to")
async def me(caller: Caller = Depends(current_officer)) -> dict[str, str]:
    return {
        "officer_id": caller.officer_id,
        "name": caller.name,
        "agency_code": caller.agency_code,
        "role": caller.role,
    }


async def _nomination_out(session: AsyncSession, nomination) -> NominationOut:  # type: ignore[no-untyped-def]
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
    body: DraftIn, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    require_role(caller, *PROPOSING_ROLES)
    nomination = await create_draft(session, caller=caller, **body.model_dump())
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
        select(Nomination).where(Nomination.proposer_agency == caller.agency_code).order_by(Nomination.created_at)  # type: ignore[arg-type]
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
    require_role(caller, *PROPOSING_ROLES)
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
    require_role(caller, *PROPOSING_ROLES)
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
    require_role(caller, *PROPOSING_ROLES)
    await own_nomination(session, caller=caller, nomination_id=nomination_id)
    try:
        # The proposer's part of the dossier as it now stands: its documents and what its own
        # council produced. The manifest is frozen again once the workflow has accepted it.
        documents = [
            *await proposer_manifest(session, nomination_id, caller.agency_code),
            *await level_manifest(session, nomination_id, caller.agency_code),
        ]
        await end_transaction(session)
        status_now = await wf.resubmit(
            nomination_id, ResubmitInput(caller.agency_code, caller.officer_id, body.reason, documents)
        )
        async with new_transaction(request) as fresh:
            await supplement_manifest(fresh, nomination_id, caller.agency_code, actor=caller.officer_id)
        return status_now
    except DecisionRejected as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from None


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
    require_role(caller, *PROPOSING_ROLES)
    await own_nomination(session, caller=caller, nomination_id=nomination_id)
    try:
        await end_transaction(session)
        return await wf.withdraw(nomination_id, WithdrawInput(caller.agency_code, caller.officer_id, body.reason))
    except DecisionRejected as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from None


@router.get(
    "/inbox", response_model=list[ReviewOut], tags=["reviews"], summary="Nominations pending at the caller's agency"
)
async def my_inbox(
    state: str | None = "pending",
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    return [ReviewOut(**r.model_dump()) for r in await inbox(session, agency_code=caller.agency_code, state=state)]


@router.post(
    "/reviews/{nomination_id}/decision",
    tags=["reviews"],
    summary="Decide on a nomination pending at the caller's agency: forward, return, refuse or confer",
)
async def decide(
    nomination_id: str,
    body: DecisionIn,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    wf: NominationClient = Depends(workflows),
) -> DecisionResult:
    require_role(caller, *DECIDING_ROLES)
    if body.action == "confer" and not body.decision_no:
        raise HTTPException(422, "a conferral needs the decision number (decision_no) of the quyết định")
    review = await pending_review(session, caller=caller, nomination_id=nomination_id)
    today = request.app.state.kit.settings.today()
    documents = []
    tier = request.app.state.kit.settings.tier.value
    if body.action == "forward" and tier != Tier.CENTRAL.value:
        # Forwarding is this level's proposal: its consultation and council must be done, and the
        # documents it produced (its tờ trình, its council's minutes) travel up with the dossier.
        # Central bodies appraise and submit; the Central Council's own review is not a gate here.
        problems = await forward_problems(
            session,
            nomination_id=nomination_id,
            agency_code=caller.agency_code,
            award_code=review.award_code,
            is_proposer=review.proposer_agency == caller.agency_code,
            today=today,
        )
        if problems:
            raise HTTPException(422, "cannot forward yet: " + " ".join(problems))
        documents = await level_manifest(session, nomination_id, caller.agency_code)
    if body.conferred_award_code is not None:
        _check_lower_form(body, review.award_code)
    decision = DecisionInput(
        action=body.action,
        agency_code=caller.agency_code,
        tier=tier,
        officer_id=caller.officer_id,
        officer_role=caller.role,
        reason=body.reason,
        decision_no=body.decision_no,
        decided_on=today.isoformat(),
        documents=documents,
        conferred_award_code=body.conferred_award_code,
        signer=body.signer or (caller.name if body.action == "confer" else None),
        on_behalf_of=caller.on_behalf_of,
    )
    await end_transaction(session)
    try:
        return await wf.decide(nomination_id, decision)
    except DecisionRejected as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from None
    except NominationNotFound as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(err)) from None


def _check_lower_form(body: DecisionIn, proposed: str) -> None:
    if body.action != "confer":
        raise HTTPException(422, "conferred_award_code is only for a conferral (action 'confer')")
    entry = default_catalog().awards.get(proposed)
    allowed = entry.lower_forms if entry else []
    if body.conferred_award_code != proposed and body.conferred_award_code not in allowed:
        raise HTTPException(
            422,
            f"{proposed} cannot be conferred as {body.conferred_award_code}: the catalog allows "
            f"{', '.join(allowed) if allowed else 'no lower form'} for it (lower_forms)",
        )


@router.post(
    "/nominations/{nomination_id}/hold",
    tags=["reviews"],
    summary="Put a nomination on hold (complaint, investigation): its deadline clock stops",
)
async def hold(
    nomination_id: str,
    body: HoldIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    wf: NominationClient = Depends(workflows),
) -> NominationStatus:
    return await _hold(nomination_id, body, caller, session, wf, wf.hold)


@router.post(
    "/nominations/{nomination_id}/release",
    tags=["reviews"],
    summary="Lift a hold: the step's clock restarts from today",
)
async def release(
    nomination_id: str,
    body: HoldIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    wf: NominationClient = Depends(workflows),
) -> NominationStatus:
    return await _hold(nomination_id, body, caller, session, wf, wf.release)


async def _hold(nomination_id, body, caller, session, wf, update):  # type: ignore[no-untyped-def]
    require_role(caller, *DECIDING_ROLES)
    await history(session, caller=caller, nomination_id=nomination_id)  # on its route, or 404
    await end_transaction(session)
    try:
        return await update(nomination_id, HoldInput(caller.agency_code, caller.officer_id, body.reason, body.source))
    except DecisionRejected as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from None
    except NominationNotFound as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(err)) from None


@router.get(
    "/nominations/{nomination_id}/status",
    tags=["reviews"],
    summary="Where a nomination is now (workflow query), for agencies on its route",
)
async def nomination_status(
    nomination_id: str,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    wf: NominationClient = Depends(workflows),
) -> NominationStatus:
    await history(session, caller=caller, nomination_id=nomination_id)
    try:
        return await wf.status(nomination_id)
    except NominationNotFound as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(err)) from None


@router.get(
    "/nominations/{nomination_id}/history",
    response_model=list[AuditOut],
    tags=["audit"],
    summary="This service's audit records for a nomination, for agencies on its route",
)
async def nomination_history(
    nomination_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    return [AuditOut(**r.model_dump()) for r in await history(session, caller=caller, nomination_id=nomination_id)]


@router.get(
    "/audit/verify",
    response_model=ChainOut,
    tags=["audit"],
    summary="Recompute this service's audit hash chain (auditors and admins)",
)
async def audit_verify(
    caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    require_role(caller, "auditor", "admin", "chair", acting=False)
    return ChainOut(**await verify_chain(session))
