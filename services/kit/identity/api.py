"""Who the caller is."""

from fastapi import APIRouter, Depends

from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller

router = APIRouter()


@router.get("/me", tags=["officers"], summary="Who the token belongs to")
async def me(caller: Caller = Depends(current_officer)) -> dict[str, str]:
    return {
        "officer_id": caller.officer_id,
        "name": caller.name,
        "agency_code": caller.agency_code,
        "role": caller.role,
    }
