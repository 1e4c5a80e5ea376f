"""The statistics of the caller's agency (or an agency under it) over HTTP: the report (JSON, XLSX,
CSV, SVG) and the reporting forms of TT 02/2023 (JSON, XLSX, CSV), each for the same filters."""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db, settings
from services.kit.errors import NotFound
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller
from services.kit.nominees.management import superiors
from services.kit.statistics.chart import svg
from services.kit.statistics.exports import form_csv, form_xlsx, report_csv, xlsx
from services.kit.statistics.filters import Filters, read_filters
from services.kit.statistics.forms import fill_form, fill_forms
from services.kit.statistics.service import year_report
from shared.platform.settings import ServiceSettings
from shared.rules.report_forms import report_forms

router = APIRouter(prefix="/statistics", tags=["statistics"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


@dataclass
class Asked:
    """The filters as the address gives them (`read_filters` checks them)."""

    year: int | None = Query(default=None, description="The year reported (the last of the range); default: last year")
    from_year: int | None = Query(default=None, description="First year of a range; default: the year")
    to_year: int | None = Query(default=None, description="Last year of a range; default: the year")
    agency: str | None = Query(default=None, max_length=64, description="Default: the caller's agency")
    subordinates: bool = Query(default=True, description="Count the bodies under the agency too")
    award: str | None = Query(default=None, max_length=64, description="One award code of the catalog")
    mode: str | None = Query(default=None, max_length=32, description="Loại hình: cong_trang, chuyen_de, dot_xuat, …")
    kind: str | None = Query(default=None, max_length=16, description="individual, collective or household")


async def scoped_filters(
    session: AsyncSession, caller: Caller, config: ServiceSettings, given: dict[str, Any]
) -> Filters:
    """The filters, for the caller's agency or one under it (another agency's figures look absent)."""
    filters = read_filters(caller.agency_code, given, config.today().year - 1)
    code = filters.agency_code
    if code != caller.agency_code and caller.agency_code not in await superiors(session, code, config.today()):
        raise NotFound(
            f"no statistics of {code} for {caller.agency_code}: an agency sees its own and those under it",
            vi=f"{caller.agency_code} không xem được thống kê của {code}: chỉ của mình và các đơn vị trực thuộc",
        )
    return filters


def given_of(asked: Asked) -> dict[str, Any]:
    return {**vars(asked), "subordinates": "1" if asked.subordinates else "0"}


async def report_for(
    session: AsyncSession, caller: Caller, config: ServiceSettings, given: dict[str, Any]
) -> dict[str, Any]:
    filters = await scoped_filters(session, caller, config, given)
    return await year_report(session, filters=filters, today=config.today())


def attachment(content: bytes, media_type: str, name: str) -> Response:
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def file_name(stem: str, found: dict[str, Any], suffix: str) -> str:
    f = found.get("filters", found)
    years = f"{f['from_year']}_{f['to_year']}" if f["from_year"] != f["to_year"] else str(f["to_year"])
    return f"{stem}_{found['agency_code']}_{years}.{suffix}"


@router.get("/report", summary="Awards by level and form, direct-worker and small-collective shares, change, years")
async def report(
    asked: Asked = Depends(), caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:  # fmt: skip
    return await report_for(session, caller, config, given_of(asked))


@router.get("/report.xlsx", summary="The report as a spreadsheet: summary, years, forms of award, chart, forms")
async def report_xlsx(
    asked: Asked = Depends(), caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    filters = await scoped_filters(session, caller, config, given_of(asked))
    found = await year_report(session, filters=filters, today=config.today())
    forms = await fill_forms(session, filters=filters, today=config.today())
    return attachment(xlsx(found, forms), XLSX, file_name("bao_cao_khen_thuong", found, "xlsx"))


@router.get("/report.csv", summary="The report as CSV (UTF-8 with a BOM, for Excel)")
async def report_csv_file(
    asked: Asked = Depends(), caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    found = await report_for(session, caller, config, given_of(asked))
    return attachment(report_csv(found), CSV, file_name("bao_cao_khen_thuong", found, "csv"))


@router.get("/report.svg", summary="Awards by level, the year before beside the year, as a chart")
async def report_svg(
    asked: Asked = Depends(), caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return Response(svg(await report_for(session, caller, config, given_of(asked))), media_type="image/svg+xml")


@router.get("/forms", summary="The reporting forms of TT 02/2023/TT-BNV this service fills")
async def forms(caller: Caller = Depends(current_officer)) -> list[dict[str, Any]]:
    return [
        {"code": f.code, "symbol": f.symbol, "vi": f.vi, "en": f.en, "source": f.source, "confirmed": f.confirmed}
        for f in report_forms().values()
    ]


async def form_for(
    session: AsyncSession, caller: Caller, config: ServiceSettings, code: str, given: dict[str, Any]
) -> dict[str, Any]:
    filters = await scoped_filters(session, caller, config, given)
    return await fill_form(session, code=code, filters=filters, today=config.today())


@router.get("/forms/{code}.csv", summary="A reporting form filled, as CSV (UTF-8 with a BOM)")
async def form_csv_file(
    code: str, asked: Asked = Depends(), caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    found = await form_for(session, caller, config, code, given_of(asked))
    return attachment(form_csv(found), CSV, file_name(f"bieu_{code}", found, "csv"))


@router.get("/forms/{code}.xlsx", summary="A reporting form filled, as a spreadsheet")
async def form_xlsx_file(
    code: str, asked: Asked = Depends(), caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    found = await form_for(session, caller, config, code, given_of(asked))
    return attachment(form_xlsx(found), XLSX, file_name(f"bieu_{code}", found, "xlsx"))


@router.get("/forms/{code}", summary="A reporting form filled for the agency and the years: rows, columns, cells")
async def form(
    code: str, asked: Asked = Depends(), caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:  # fmt: skip
    return await form_for(session, caller, config, code, given_of(asked))
