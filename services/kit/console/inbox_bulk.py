"""The inbox's bulk actions: one form, one action (forward, return, remind, assign) on the
nominations ticked on the page, and one result line for each (`services.kit.reviews.bulk`)."""

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from services.kit.console.i18n import explain, language
from services.kit.console.rendering import render
from services.kit.console.service import InboxQuery, inbox_page
from services.kit.console.session import checked_form, console_officer
from services.kit.errors import DomainError
from services.kit.identity.service import Caller
from services.kit.reviews.bulk import Bulk, act_on_many

router = APIRouter(prefix="/console", include_in_schema=False)


@router.post("/bulk", response_class=HTMLResponse)
async def bulk(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    """Attempt the action on each ticked nomination; answer with the inbox as it was filtered,
    the result of each item above it."""
    form = await checked_form(request)
    config, lang = request.app.state.kit.settings, language(request)
    asked = Bulk(
        action=str(form.get("action", "")),
        nomination_ids=[str(v)[:64] for v in form.getlist("nomination_id")],
        reason=str(form.get("reason", "")).strip()[:5000] or None,
        assignee=str(form.get("assignee", "")).strip()[:64] or None,
        decision_no=str(form.get("decision_no", "")).strip()[:100] or None,
    )
    status, error, results = 200, None, []
    try:
        done = await act_on_many(
            request.app.state.kit.sessions,
            request.app.state.kit.nominations,
            caller=caller,
            bulk=asked,
            tier=config.tier,
            today=config.today(),
            now=lambda: datetime.now(UTC),
        )
        results = [(item, *(explain(lang, item.error) if item.error else ("", ""))) for item in done]
    except DomainError as refusal:  # the form as a whole: nothing was attempted
        status, error = refusal.status, explain(lang, refusal)
    query = InboxQuery.parse(dict(request.query_params))
    async with request.app.state.kit.sessions() as session:
        page = await inbox_page(
            session, agency_code=caller.agency_code, query=query, today=config.today(), officer_id=caller.officer_id
        )
    return render(
        request,
        "inbox.html",
        status=status,
        caller=caller,
        page=page,
        today=config.today(),
        results=results,
        error=error,
        decision_no=asked.decision_no if asked.action == "confer" and any(item.ok for item, *_ in results) else None,
    )
