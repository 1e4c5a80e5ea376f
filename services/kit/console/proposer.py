"""The clerk's console pages: the agency's own nominations, a draft from the catalog, documents
uploaded from the browser, submission, resubmission after a return, withdrawal. Each action calls
the same functions as the API routes; a refusal is shown on the nomination's page."""

import base64
import hashlib
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select
from starlette.datastructures import UploadFile

from services.kit.console.nomination import show_nomination
from services.kit.console.rendering import after_action, render, said
from services.kit.console.service import award_name
from services.kit.console.session import checked_form, console_officer
from services.kit.deps import end_transaction, new_transaction
from services.kit.dossier.service import add_document, supplement_manifest
from services.kit.errors import DomainError, Invalid
from services.kit.identity.service import Caller, require
from services.kit.nominations.models import Nomination
from services.kit.nominees.management import nominees_of
from services.kit.proposals.service import create_draft, prepare_resubmission, prepare_submission, submitted_nomination
from shared.contracts.nomination import RESUBMIT, WITHDRAW, WithdrawInput
from shared.rules.catalog import default_catalog
from shared.rules.people import default_people
from shared.text import collation_key

router = APIRouter(prefix="/console", include_in_schema=False)
MAX_UPLOAD = 20 * 1024 * 1024  # the API's limit for one document (services/kit/dossier/service.py)


@router.get("/proposals", response_class=HTMLResponse)
async def own_nominations(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    async with request.app.state.kit.sessions() as session:
        rows = (
            await session.exec(
                select(Nomination)
                .where(Nomination.proposer_agency == caller.agency_code)
                .order_by(col(Nomination.created_at).desc())
            )
        ).all()
    shown = [{"nomination": n, "award": award_name(n.award_code)} for n in rows]
    return render(request, "proposals.html", caller=caller, rows=shown)


@router.get("/proposals/new", response_class=HTMLResponse)
async def draft_form(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    return await _draft_form(request, caller)


async def _draft_form(
    request: Request, caller: Caller, *, status: int = 200, error: str | None = None, values: Any = None
) -> Response:
    async with request.app.state.kit.sessions() as session:
        nominees = await nominees_of(session, caller.agency_code, query=None, limit=200)
    awards = sorted(
        ((code, a.name_vi) for code, a in default_catalog().awards.items()), key=lambda a: collation_key(a[1])
    )
    return render(
        request, "draft.html", status=status, caller=caller, awards=awards, nominees=nominees,
        error=error, values=values or {}, people=default_people(),
    )  # fmt: skip


DRAFT_FIELDS = ("nominee_name", "nominee_kind", "nominee_id", "award_code", "reason", "period_year",
                "nominee_position", "nominee_sex", "nominee_ethnicity")  # fmt: skip


@router.post("/proposals/new")
async def draft(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    form = await checked_form(request)
    values = {key: str(form.get(key, "")).strip() for key in DRAFT_FIELDS}
    try:
        require(caller, "propose")
        if not values["nominee_name"] or not values["reason"]:
            raise Invalid("hãy nhập tên đối tượng và lý do đề nghị (nominee name and reason are required)")
        year = values["period_year"]
        if year and not (year.isdigit() and 1945 <= int(year) <= 2100):
            raise Invalid(f"năm thành tích không hợp lệ: {year} (a year between 1945 and 2100)")
        async with new_transaction(request) as session:
            nomination = await create_draft(
                session,
                caller=caller,
                nominee_name=values["nominee_name"][:300],
                nominee_kind=values["nominee_kind"] if values["nominee_kind"] in ("collective", "household")
                else "individual",
                award_code=values["award_code"],
                reason=values["reason"][:5000],
                on=request.app.state.kit.settings.today(),
                nominee_id=values["nominee_id"] or None,
                period_year=int(year) if year else None,
                nominee_position=values["nominee_position"] or None,
                nominee_sex=values["nominee_sex"] or None,
                nominee_ethnicity=values["nominee_ethnicity"] or None,
            )  # fmt: skip
    except DomainError as refusal:
        return await _draft_form(request, caller, status=refusal.status, error=said(request, refusal), values=values)
    return RedirectResponse(f"/console/nominations/{nomination.id}", status_code=303)


@router.post("/nominations/{nomination_id}/documents")
async def upload(request: Request, nomination_id: str, caller: Caller = Depends(console_officer)) -> Response:
    form = await checked_form(request)
    file = form.get("file")
    try:
        require(caller, "propose")
        if not isinstance(file, UploadFile) or not file.filename:
            raise Invalid("hãy chọn một tệp (choose a file)")
        content = await file.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            raise Invalid(f"tệp quá lớn: tối đa {MAX_UPLOAD // (1024 * 1024)} MB (the file is too large)")
        async with new_transaction(request) as session:
            await add_document(
                session,
                caller=caller,
                nomination_id=nomination_id,
                kind=str(form.get("kind", "")),
                filename=file.filename,
                content_type=file.content_type or "application/octet-stream",
                content_base64=base64.b64encode(content).decode(),
                sha256=hashlib.sha256(content).hexdigest(),
            )
    except DomainError as refusal:
        return await show_nomination(
            request, caller, nomination_id, status=refusal.status, error=said(request, refusal)
        )
    return after_action(request, f"/console/nominations/{nomination_id}?done=upload")


@router.post("/nominations/{nomination_id}/submit")
async def submit(request: Request, nomination_id: str, caller: Caller = Depends(console_officer)) -> Response:
    await checked_form(request)
    try:
        require(caller, "propose")
        async with new_transaction(request) as session:
            nomination_input, _ = await prepare_submission(
                session, caller=caller, nomination_id=nomination_id, today=request.app.state.kit.settings.today()
            )
            await request.app.state.kit.nominations.start(nomination_input)
    except DomainError as refusal:
        return await show_nomination(
            request, caller, nomination_id, status=refusal.status, error=said(request, refusal)
        )
    return RedirectResponse(f"/console/nominations/{nomination_id}?done=submit", status_code=303)


@router.post("/nominations/{nomination_id}/resubmit")
async def resubmit(request: Request, nomination_id: str, caller: Caller = Depends(console_officer)) -> Response:
    form = await checked_form(request)
    try:
        require(caller, "propose")
        async with new_transaction(request) as session:
            reason = str(form.get("reason", "")).strip()[:5000] or None
            resubmission = await prepare_resubmission(
                session, caller=caller, nomination_id=nomination_id, reason=reason
            )
            await end_transaction(session)
        await request.app.state.kit.nominations.update(nomination_id, RESUBMIT, resubmission)
        async with new_transaction(request) as fresh:
            await supplement_manifest(fresh, nomination_id, caller.agency_code, actor=caller.officer_id)
    except DomainError as refusal:
        return await show_nomination(
            request, caller, nomination_id, status=refusal.status, error=said(request, refusal)
        )
    return RedirectResponse(f"/console/nominations/{nomination_id}?done=resubmit", status_code=303)


@router.post("/nominations/{nomination_id}/withdraw")
async def withdraw(request: Request, nomination_id: str, caller: Caller = Depends(console_officer)) -> Response:
    form = await checked_form(request)
    try:
        require(caller, "propose")
        async with new_transaction(request) as session:
            await submitted_nomination(session, caller=caller, nomination_id=nomination_id, action="withdraw")
        reason = str(form.get("reason", "")).strip()[:5000] or None
        withdrawal = WithdrawInput(caller.agency_code, caller.officer_id, reason)
        await request.app.state.kit.nominations.update(nomination_id, WITHDRAW, withdrawal)
    except DomainError as refusal:
        return await show_nomination(
            request, caller, nomination_id, status=refusal.status, error=said(request, refusal)
        )
    return RedirectResponse(f"/console/nominations/{nomination_id}?done=withdraw", status_code=303)
