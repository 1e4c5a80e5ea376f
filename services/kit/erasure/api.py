"""Erasing a nominee's personal data on the subject's request: the managing agency's head or admin."""

from typing import Any

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db, settings
from services.kit.erasure.schemas import ErasureIn, ErasureOut
from services.kit.erasure.service import erase_nominee
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from shared.platform.settings import ServiceSettings

router = APIRouter(prefix="/nominees", tags=["nominees"])


@router.post(
    "/{nominee_id}/erasure",
    response_model=ErasureOut,
    summary="Erase a nominee's erasable personal data (sex, ethnic group, the audit log's openings) here and, "
    "by an event, at every service; audited without the values; again, a no-op (the managing agency's chair or admin)",
)
async def erase(
    nominee_id: str,
    body: ErasureIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> Any:
    require(caller, "erase_personal")
    return await erase_nominee(
        session, caller=caller, nominee_id=nominee_id, basis=body.basis, reason=body.reason, on=config.today()
    )
