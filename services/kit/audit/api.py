"""The audit trail: one nomination's records, and the whole chain's verification."""

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.audit.schemas import AuditOut, ChainOut
from services.kit.deps import db
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from services.kit.nominations.service import history
from shared.platform.audit import verify_chain

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
