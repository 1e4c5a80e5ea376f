"""A year's statistics for the caller's agency (or an agency under it) over HTTP: JSON, XLSX, SVG."""

from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db, settings
from services.kit.errors import NotFound
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller
from services.kit.nominees.management import superiors
from services.kit.statistics.exports import svg, xlsx
from services.kit.statistics.service import year_report
from shared.platform.settings import ServiceSettings

router = APIRouter(prefix="/statistics", tags=["statistics"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def report_for(
    session: AsyncSession, caller: Caller, config: ServiceSettings, year: int, agency: str | None
) -> dict[str, Any]:
    """The caller's agency, or one under it (another agency's figures look absent)."""
    code = agency or caller.agency_code
    if code != caller.agency_code and caller.agency_code not in await superiors(session, code, config.today()):
        raise NotFound(f"no statistics of {code} for {caller.agency_code}: an agency sees its own and those under it")
    return await year_report(session, agency_code=code, year=year, today=config.today())


Year = Query(ge=1945, le=2100, description="The year reported; the year before is beside it")
Agency = Query(default=None, max_length=64, description="Default: the caller's agency")


@router.get("/report", summary="A year's awards by level and form, direct-worker shares, change on the year before")
async def report(
    year: int = Year, agency: str | None = Agency, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:  # fmt: skip
    return await report_for(session, caller, config, year, agency)


@router.get("/report.xlsx", summary="The same report as a spreadsheet")
async def report_xlsx(
    year: int = Year, agency: str | None = Agency, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    found = await report_for(session, caller, config, year, agency)
    name = f"bao_cao_khen_thuong_{found['agency_code']}_{year}.xlsx"
    return Response(xlsx(found), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/report.svg", summary="Awards by level, the year before beside the year, as a chart")
async def report_svg(
    year: int = Year, agency: str | None = Agency, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return Response(svg(await report_for(session, caller, config, year, agency)), media_type="image/svg+xml")
