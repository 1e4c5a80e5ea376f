"""The statistics page: the figures of the officer's agency (or one under it) for the filters in the
address (years, with or without the bodies under it, award, mode, kind), as tables and a chart drawn
on the server, one reporting form of TT 02/2023 filled, and the same selection to download (XLSX,
CSV, SVG). The figures are `services/kit/statistics`'s, as for `/statistics/report`."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from services.kit.console.rendering import render, said
from services.kit.console.session import console_officer
from services.kit.errors import DomainError
from services.kit.identity.service import Caller
from services.kit.statistics.api import CSV, XLSX, attachment, file_name, form_for, scoped_filters
from services.kit.statistics.chart import svg
from services.kit.statistics.exports import awards_of, form_csv, form_xlsx, report_csv, rows_of, xlsx, years_of
from services.kit.statistics.filters import KINDS, MODES
from services.kit.statistics.forms import fill_forms
from services.kit.statistics.service import year_report
from shared.rules.catalog import default_catalog
from shared.rules.report_forms import report_forms

router = APIRouter(prefix="/console", include_in_schema=False)
DEFAULT_FORM = "0602"


def choices() -> dict[str, Any]:
    """What the filter form offers: the catalog's awards, the modes, the kinds, the forms."""
    awards = {code: award.name_vi for code, award in default_catalog().awards.items()}
    forms = {code: f"{form.symbol}: {form.vi}" for code, form in report_forms().items()}
    return {"awards": awards, "modes": MODES, "kinds": KINDS, "forms": forms}


@router.get("/statistics", response_class=HTMLResponse)
async def statistics_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    kit, given = request.app.state.kit, dict(request.query_params)
    chosen = given.get("form") or DEFAULT_FORM
    chosen = chosen if chosen in report_forms() else DEFAULT_FORM
    shown = {"given": given, "chosen": chosen, **choices()}
    try:
        async with kit.sessions() as session:
            filters = await scoped_filters(session, caller, kit.settings, given)
            report = await year_report(session, filters=filters, today=kit.settings.today())
            form = await form_for(session, caller, kit.settings, chosen, given)
    except DomainError as refusal:
        return render(
            request, "statistics.html", status=refusal.status, caller=caller, error=said(request, refusal),
            report=None, **shown,
        )  # fmt: skip
    return render(
        request, "statistics.html", caller=caller, report=report, rows=rows_of(report), years=years_of(report),
        by_award=awards_of(report), form=form, chart=Markup(svg(report)), error=None,
        query=urlencode(filters.query()), **shown,
    )  # fmt: skip


@router.get("/statistics.{suffix}")
async def statistics_file(suffix: str, request: Request, caller: Caller = Depends(console_officer)) -> Response:
    """The report for the page's filters: XLSX (with every form), CSV or the chart as SVG."""
    kit = request.app.state.kit
    async with kit.sessions() as session:
        filters = await scoped_filters(session, caller, kit.settings, dict(request.query_params))
        report = await year_report(session, filters=filters, today=kit.settings.today())
        if suffix == "xlsx":
            forms = await fill_forms(session, filters=filters, today=kit.settings.today())
            return attachment(xlsx(report, forms), XLSX, file_name("bao_cao_khen_thuong", report, "xlsx"))
    if suffix == "csv":
        return attachment(report_csv(report), CSV, file_name("bao_cao_khen_thuong", report, "csv"))
    if suffix == "svg":
        return Response(svg(report), media_type="image/svg+xml")
    return Response("xlsx, csv or svg", status_code=404)


@router.get("/statistics/forms/{code}.{suffix}")
async def form_file(code: str, suffix: str, request: Request, caller: Caller = Depends(console_officer)) -> Response:
    """One reporting form for the page's filters, as CSV or XLSX."""
    kit = request.app.state.kit
    async with kit.sessions() as session:
        form = await form_for(session, caller, kit.settings, code, dict(request.query_params))
    if suffix == "csv":
        return attachment(form_csv(form), CSV, file_name(f"bieu_{code}", form, "csv"))
    if suffix == "xlsx":
        return attachment(form_xlsx(form), XLSX, file_name(f"bieu_{code}", form, "xlsx"))
    return Response("csv or xlsx", status_code=404)
