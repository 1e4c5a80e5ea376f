"""The console's pages: server-rendered HTML (Jinja2, htmx for partial updates, no build step),
Vietnamese by default. Pages call the same service functions as the API; the workflow's validator
decides what may be done, and its refusal is shown on the page."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.kit.console.i18n import explain, language
from services.kit.console.nomination import show_nomination
from services.kit.console.rendering import render
from services.kit.console.service import InboxQuery, inbox_page
from services.kit.console.session import checked_form, console_officer, end_session
from services.kit.deps import new_transaction
from services.kit.dossier.api import document_response
from services.kit.dossier.reading import read_document
from services.kit.errors import DomainError
from services.kit.identity.officers import revoke_own
from services.kit.identity.service import Caller
from services.kit.reviews.bulk import decide_one

router = APIRouter(prefix="/console", include_in_schema=False)


@router.post("/logout")
async def logout(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    await checked_form(request)
    async with new_transaction(request) as session:
        await revoke_own(session, caller, caller.token_id)
    response = RedirectResponse("/console/login", status_code=303)
    end_session(response)
    return response


@router.get("", response_class=HTMLResponse)
async def inbox(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    query = InboxQuery.parse(dict(request.query_params))
    config = request.app.state.kit.settings
    async with request.app.state.kit.sessions() as session:
        page = await inbox_page(
            session, agency_code=caller.agency_code, query=query, today=config.today(), officer_id=caller.officer_id
        )
    partial = request.headers.get("HX-Request") == "true"
    return render(
        request, "inbox_results.html" if partial else "inbox.html", caller=caller, page=page, today=config.today()
    )


@router.get("/nominations/{nomination_id}", response_class=HTMLResponse)
async def nomination(request: Request, nomination_id: str, caller: Caller = Depends(console_officer)) -> Response:
    return await show_nomination(request, caller, nomination_id)


@router.post("/nominations/{nomination_id}/decide")
async def decide(request: Request, nomination_id: str, caller: Caller = Depends(console_officer)) -> Response:
    """The chair's decision from the page (a conferral with its decision number): the same checks as
    `POST /reviews/{id}/decision`, and the same function as the inbox's bulk actions."""
    form = await checked_form(request)
    config = request.app.state.kit.settings
    action = str(form.get("action", ""))
    try:
        await decide_one(
            request.app.state.kit.sessions,
            request.app.state.kit.nominations,
            caller=caller,
            nomination_id=nomination_id,
            tier=config.tier,
            today=config.today(),
            action=action,
            reason=str(form.get("reason", "")).strip()[:5000] or None,
            decision_no=str(form.get("decision_no", "")).strip()[:100] or None,
        )
    except DomainError as refusal:
        lead, detail = explain(language(request), refusal)
        return await show_nomination(request, caller, nomination_id, status=refusal.status, error=f"{lead}: {detail}")
    return RedirectResponse(f"/console/nominations/{nomination_id}?done={action}", status_code=303)


@router.get("/nominations/{nomination_id}/documents/{document_id}")
async def document(
    request: Request, nomination_id: str, document_id: str, caller: Caller = Depends(console_officer)
) -> Response:
    """A document of the dossier, checked against its SHA-256 (a refusal is a page)."""
    async with request.app.state.kit.sessions() as session:
        found = await read_document(session, caller=caller, nomination_id=nomination_id, document_id=document_id)
    return document_response(found)
