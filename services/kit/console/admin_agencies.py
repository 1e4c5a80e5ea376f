"""The admin's page of the bodies registered under the agency (Đơn vị trực thuộc): the list, one
registration from a form, a CSV or XLSX file with a per-row report (or a check only), and the
template to fill. The rules are `services/kit/bodies/`'s, as for `POST /agencies` and
`POST /agencies/import` (decision 0015): a file is registered whole or not at all."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from services.kit.bodies.service import bodies_under, import_agencies, register_agency
from services.kit.bodies.sheets import MAX_IMPORT_BYTES, parse_day, template
from services.kit.console.rendering import render, said
from services.kit.console.session import checked_form, console_officer
from services.kit.errors import DomainError, Invalid, TooLarge
from services.kit.identity.service import Caller, require
from shared.hierarchy.bodies import KINDS, TIERS, registration

router = APIRouter(prefix="/console", include_in_schema=False)
SHOWN = 500  # bodies listed on the page; the count says how many there are
FIELDS = ("code", "name", "kind", "tier", "parent_code", "location_code", "valid_from", "legal_basis")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/agencies", response_class=HTMLResponse)
async def agencies_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    require(caller, "register_agencies", acting=False)
    return await show_agencies(request, caller)


async def show_agencies(
    request: Request, caller: Caller, *, status: int = 200, error: str | None = None, done: str | None = None,
    values: dict[str, str] | None = None, report: dict[str, Any] | None = None,
) -> Response:  # fmt: skip
    today = request.app.state.kit.settings.today()
    async with request.app.state.kit.sessions() as session:
        bodies = await bodies_under(session, caller.agency_code, today)
    return render(
        request, "agencies.html", status=status, caller=caller, bodies=bodies[:SHOWN], total=len(bodies),
        kinds=KINDS, tiers=[t.value for t in TIERS], error=error, done=done, report=report,
        values=values or {"parent_code": caller.agency_code, "tier": "unit"},
    )  # fmt: skip


@router.post("/agencies")
async def register(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    """One body from the form, checked as `POST /agencies` checks it."""
    form = await checked_form(request)
    values = {key: str(form.get(key, "")).strip() for key in FIELDS}
    today = request.app.state.kit.settings.today()
    try:
        require(caller, "register_agencies")
        day = parse_day(values["valid_from"]) if values["valid_from"] else today
        if day is None:
            raise Invalid(
                f"the first day '{values['valid_from'][:20]}' cannot be read: dd/mm/yyyy",
                vi=f"ngày hiệu lực '{values['valid_from'][:20]}' không đọc được: ghi dd/mm/yyyy",
            )
        body = registration(
            code=values["code"], name=values["name"], kind=values["kind"], tier=values["tier"] or "unit",
            parent_code=values["parent_code"], valid_from=day, location_code=values["location_code"] or None,
            legal_basis=values["legal_basis"] or None,
        )  # fmt: skip
        async with request.app.state.kit.sessions() as session, session.begin():
            made = await register_agency(session, caller=caller, body=body, today=today)
    except DomainError as refusal:
        return await show_agencies(request, caller, status=refusal.status, error=said(request, refusal), values=values)
    return await show_agencies(request, caller, done=f"{made.code} · {made.name}")


@router.post("/agencies/import")
async def import_file(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    """A file's bodies, all or none, with a line for every row; `dry_run` checks and registers none."""
    form = await checked_form(request)
    file = form.get("file")
    today = request.app.state.kit.settings.today()
    try:
        require(caller, "register_agencies")
        if not isinstance(file, UploadFile) or not file.filename:
            raise Invalid("choose a .csv or .xlsx file", vi="hãy chọn một tệp .csv hoặc .xlsx")
        content = await file.read(MAX_IMPORT_BYTES + 1)
        if len(content) > MAX_IMPORT_BYTES:
            raise TooLarge(
                f"the file is larger than {MAX_IMPORT_BYTES // 2**20} MB: split it",
                vi=f"tệp lớn hơn {MAX_IMPORT_BYTES // 2**20} MB: hãy chia nhỏ",
            )
        async with request.app.state.kit.sessions() as session, session.begin():
            report = await import_agencies(
                session, caller=caller, filename=file.filename, content=content, dry_run=bool(form.get("dry_run")),
                today=today,
            )  # fmt: skip
    except DomainError as refusal:
        rows = refusal.detail if isinstance(refusal.detail, dict) and "lines" in refusal.detail else None
        # A file with invalid rows: the report is the answer, nothing was registered.
        error = None if rows else said(request, refusal)
        return await show_agencies(request, caller, status=refusal.status, error=error, report=rows)
    return await show_agencies(request, caller, report=report)


@router.get("/agencies/template.xlsx")
async def template_file(caller: Caller = Depends(console_officer)) -> Response:
    """The file to fill: the Vietnamese headers and one example row (as `tdkt agencies template`)."""
    require(caller, "register_agencies", acting=False)
    return Response(
        template("xlsx"), media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="mau_don_vi.xlsx"'}
    )
