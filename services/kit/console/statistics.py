"""The statistics page: a year's figures for the officer's agency (or one under it) as a table and a
chart drawn on the server, with the spreadsheet to download. The figures are
`services/kit/statistics`'s, as for `/statistics/report`."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from services.kit.console.rendering import render, said
from services.kit.console.session import console_officer
from services.kit.errors import DomainError, Invalid
from services.kit.identity.service import Caller
from services.kit.statistics.api import XLSX, report_for
from services.kit.statistics.exports import rows_of, svg, xlsx

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/statistics", response_class=HTMLResponse)
async def statistics_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    config = request.app.state.kit.settings
    written = request.query_params.get("year", "") or str(config.today().year - 1)
    agency = request.query_params.get("agency", "").strip().upper() or None
    try:
        if not written.isdigit() or not 1946 <= int(written) <= 2100:
            raise Invalid(f"the year '{written[:8]}' cannot be read", vi=f"năm '{written[:8]}' không hợp lệ")
        async with request.app.state.kit.sessions() as session:
            report = await report_for(session, caller, config, int(written), agency)
    except DomainError as refusal:
        return render(
            request, "statistics.html", status=refusal.status, caller=caller, error=said(request, refusal),
            year=written, agency=agency or "", report=None,
        )  # fmt: skip
    return render(
        request, "statistics.html", caller=caller, report=report, rows=rows_of(report), year=written,
        agency=agency or "", chart=Markup(svg(report)), error=None,
    )  # fmt: skip


@router.get("/statistics.xlsx")
async def statistics_file(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    config = request.app.state.kit.settings
    written = request.query_params.get("year", "")
    if not written.isdigit() or not 1946 <= int(written) <= 2100:
        raise Invalid(f"the year '{written[:8]}' cannot be read", vi=f"năm '{written[:8]}' không hợp lệ")
    agency = request.query_params.get("agency", "").strip().upper() or None
    async with request.app.state.kit.sessions() as session:
        report = await report_for(session, caller, config, int(written), agency)
    name = f"bao_cao_khen_thuong_{report['agency_code']}_{written}.xlsx"
    return Response(xlsx(report), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
