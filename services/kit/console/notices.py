"""The officer's notifications in the console: the unread count in the header (fetched by htmx,
refreshed every minute) and the list, which marks everything shown as read."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from services.kit.console.rendering import render
from services.kit.console.session import console_officer
from services.kit.identity.service import Caller
from services.kit.notifications.service import latest_notifications, mark_read, unread_count

router = APIRouter(prefix="/console/notifications", include_in_schema=False)


@router.get("/count", response_class=HTMLResponse)
async def count(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    async with request.app.state.kit.sessions() as session:
        unread = await unread_count(session, caller)
    return HTMLResponse(f'<span class="badge" aria-label="{unread} chưa đọc">{unread}</span>' if unread else "")


@router.get("", response_class=HTMLResponse)
async def notifications(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    async with request.app.state.kit.sessions() as session, session.begin():
        unread = await unread_count(session, caller)
        rows = await latest_notifications(session, caller)
        if rows and rows[0].id is not None:
            await mark_read(session, caller, rows[0].id)
    return render(request, "notifications.html", caller=caller, rows=rows, unread=unread)
