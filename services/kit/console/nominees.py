"""The agency's nominees on the console: the list (found by name with or without diacritics, with what
statistics need about each individual) and the form that registers a nominee or changes an
individual's position category, sex and ethnicity. The same functions as `POST /nominees`; for the
managing agency's chair or admin, erasing a nominee's personal data, confirmed (`POST
/nominees/{id}/erasure`, decision 0040)."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.kit.console.fields import checked
from services.kit.console.rendering import render, said
from services.kit.console.session import checked_form, console_officer
from services.kit.deps import new_transaction
from services.kit.erasure.schemas import ErasureIn
from services.kit.erasure.service import erase_nominee
from services.kit.errors import DomainError, Invalid
from services.kit.identity.service import Caller, require
from services.kit.nominees.management import PROFILE, nominees_of, register_nominee
from services.kit.nominees.schemas import NomineeIn
from shared.rules.people import default_people
from shared.rules.roles import may

router = APIRouter(prefix="/console", include_in_schema=False)
FIELDS = ("id", "kind", "name", *PROFILE)


@router.get("/nominees", response_class=HTMLResponse)
async def nominees_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    return await _page(request, caller, done=request.query_params.get("done") or None)


async def _page(
    request: Request,
    caller: Caller,
    *,
    status: int = 200,
    error: str | None = None,
    values: Any = None,
    done: str | None = None,
) -> Response:
    query = request.query_params.get("q", "").strip()[:100] or None
    async with request.app.state.kit.sessions() as session:
        rows = await nominees_of(session, caller.agency_code, query=query, limit=200)
    return render(
        request, "nominees.html", status=status, caller=caller, rows=rows, query=query or "", error=error,
        values=values or {}, done=done, people=default_people(), may_erase=may(caller.role, "erase_personal"),
    )  # fmt: skip


@router.post("/nominees")
async def register(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    form = await checked_form(request)
    values = {key: str(form.get(key, "")).strip() for key in FIELDS}
    try:
        require(caller, "record_facts")
        body = checked(NomineeIn, {key: value for key, value in values.items() if value})
        async with new_transaction(request) as session:
            await register_nominee(
                session,
                caller=caller,
                nominee_id=body.id,
                kind=body.kind,
                name=body.name,
                on=request.app.state.kit.settings.today(),
                profile=body.model_dump(include=set(PROFILE)),
            )
    except DomainError as refusal:
        return await _page(request, caller, status=refusal.status, error=said(request, refusal), values=values)
    return RedirectResponse("/console/nominees?done=saved", status_code=303)


@router.post("/nominees/{nominee_id}/erasure")
async def erase(nominee_id: str, request: Request, caller: Caller = Depends(console_officer)) -> Response:
    form = await checked_form(request)
    try:
        require(caller, "erase_personal")
        if form.get("confirm") != "yes":
            raise Invalid(
                "tick the confirmation before erasing", "Unconfirmed", vi="hãy đánh dấu ô xác nhận trước khi xóa"
            )
        body = checked(ErasureIn, {"basis": form.get("basis", ""), "reason": str(form.get("reason", "")).strip()})
        async with new_transaction(request) as session:
            done = await erase_nominee(
                session, caller=caller, nominee_id=nominee_id, basis=body.basis, reason=body.reason,
                on=request.app.state.kit.settings.today(),
            )  # fmt: skip
    except DomainError as refusal:
        return await _page(request, caller, status=refusal.status, error=said(request, refusal))
    return RedirectResponse(
        f"/console/nominees?done={'nothing' if done['already_erased'] else 'erased'}", status_code=303
    )
