"""Registering grassroots bodies (schools, enterprises, sở…) under the hierarchy over HTTP: an admin
registers them under their agency or one below it, one at a time or from a file (decision 0015).

The registry's public reads (`GET /agencies`, `GET /agencies/{code}`) are in `registry/api.py`;
these routes sit beside them, in a package of their own because they need the caller's identity
and identity already reads the registry.
"""

from typing import Any

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.bodies.schemas import AgencyIn, AgencyOut, ImportIn, ImportReport
from services.kit.bodies.service import import_agencies, register_agency
from services.kit.deps import db, settings
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from shared.platform.settings import ServiceSettings

router = APIRouter(prefix="/agencies", tags=["agencies"])


@router.post(
    "",
    status_code=201,
    response_model=AgencyOut,
    summary="Register a grassroots body (school, enterprise, sở…) under an agency in force: an admin of that "
    "agency or of one above it; every service's registry learns it",
)
async def register(
    body: AgencyIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> Any:
    require(caller, "register_agencies")
    return await register_agency(session, caller=caller, body=body.body(config.today()), today=config.today())


@router.post(
    "/import",
    response_model=ImportReport,
    summary="Register bodies from a CSV or XLSX file (columns: docs/hierarchy.md): every row is checked and "
    "reported; all are registered or, if any row is invalid, none (422 with the report); dry_run registers none",
)
async def import_file(
    body: ImportIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> Any:
    require(caller, "register_agencies")
    return await import_agencies(
        session,
        caller=caller,
        filename=body.filename,
        content=body.content(),
        dry_run=body.dry_run,
        today=config.today(),
    )
