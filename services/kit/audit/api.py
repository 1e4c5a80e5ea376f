"""The audit trail: one nomination's records and evidence, the chain's verification, the witnesses' view."""

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.audit.evidence import export_evidence
from services.kit.audit.schemas import AlarmOut, AuditOut, ChainOut, CheckpointOut
from services.kit.audit.succession import succession_file
from services.kit.audit.witness import latest_checkpoints, list_alarms, signer_of
from services.kit.deps import db
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from services.kit.nominations.service import history
from shared.platform.audit import verify_chain
from shared.platform.evidence import canonical

router = APIRouter()


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
    "/nominations/{nomination_id}/evidence",
    tags=["audit"],
    summary="Evidence bundle: this service's records of a nomination, their inclusion proofs in a cosigned "
    "checkpoint, its cosignatures and public keys, as one JSON file (`tdkt audit verify` checks it offline); "
    "for agencies on its route. 409 while no cosigned checkpoint holds the records yet",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "The bundle, in canonical form"}},
)
async def nomination_evidence(
    nomination_id: str,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> Response:
    bundle = await export_evidence(
        session,
        caller=caller,
        nomination_id=nomination_id,
        signer=signer_of(request.app.state.kit.settings),
        now=datetime.now(UTC),
    )
    filename = f"evidence-{nomination_id}-{request.app.state.kit.settings.tier.value}.json"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(canonical(bundle), media_type="application/json", headers=headers)


@router.get(
    "/audit/verify",
    response_model=ChainOut,
    tags=["audit"],
    summary="Recompute this service's audit hash chain (auditors and admins)",
)
async def audit_verify(
    caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    require(caller, "verify_audit", acting=False)
    return ChainOut(**await verify_chain(session))


@router.get(
    "/audit/checkpoints",
    response_model=list[CheckpointOut],
    tags=["audit"],
    summary="The latest signed checkpoint of every log this service knows (its own first) with its public key "
    "and cosignatures (auditors and admins)",
)
async def audit_checkpoints(
    request: Request, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    require(caller, "verify_audit", acting=False)
    own = signer_of(request.app.state.kit.settings).origin
    return [CheckpointOut(**c) for c in await latest_checkpoints(session, own=own)]


@router.get(
    "/audit/alarms",
    response_model=list[AlarmOut],
    tags=["audit"],
    summary="Checkpoints of other services this service refused to cosign, newest first, and why (auditors and admins)",
)
async def audit_alarms(
    caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    require(caller, "verify_audit", acting=False)
    return [AlarmOut(**a.model_dump()) for a in await list_alarms(session)]


@router.get(
    "/audit/agencies/{agency_code}/succession",
    tags=["audit"],
    summary="An agency's succession as this service's log holds it, as one JSON file that `tdkt audit verify` "
    "checks offline: its closing record if a reorganization closed its log here, and its records referencing "
    "each predecessor's final cosigned checkpoint, each anchored in a cosigned checkpoint of this log (auditors, "
    "admins and chairs of any agency). 404 when there is neither here; 409 while no cosigned checkpoint holds them",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "The succession file, in canonical form"}},
)
async def agency_succession(
    agency_code: str,
    request: Request,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> Response:
    # Who may read: whoever may verify this log (GET /audit/checkpoints). The file holds hashes,
    # signatures, agency codes, record counts and the plan's legal basis: no nomination, no person.
    require(caller, "verify_audit", acting=False)
    origin = signer_of(request.app.state.kit.settings).origin
    found = await succession_file(session, agency_code=agency_code.strip().upper(), origin=origin)
    filename = f"succession-{found['agency']}-{request.app.state.kit.settings.tier.value}.json"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(canonical(found), media_type="application/json", headers=headers)
