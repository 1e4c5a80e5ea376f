"""One nomination's page, shown after every action on it (with the action's refusal, if any)."""

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.console.rendering import render
from services.kit.console.service import nomination_page
from services.kit.councils.service import council_roster, councils_of
from services.kit.identity.service import Caller
from services.kit.papers.service import papers_open
from shared.rules.roles import may


async def show_nomination(
    request: Request, caller: Caller, nomination_id: str, *, status: int = 200, error: str | None = None
) -> Response:
    config = request.app.state.kit.settings
    async with request.app.state.kit.sessions() as session:
        page = await nomination_page(session, caller=caller, nomination_id=nomination_id, today=config.today())
        council = await meeting_form(session, caller, config.today()) if page.actions else None
        papers = await papers_open(session, caller=caller, nomination_id=nomination_id)
    done = request.query_params.get("done")
    return render(
        request,
        "nomination.html",
        status=status,
        caller=caller,
        page=page,
        error=error,
        done=done,
        council=council,
        papers=papers,
        today=config.today(),
    )


async def meeting_form(session: AsyncSession, caller: Caller, on: date) -> dict[str, Any] | None:
    """What the page needs to call the council on a nomination pending here: its members that day."""
    councils = await councils_of(session, caller.agency_code) if may(caller.role, "manage_council") else []
    if not councils:
        return None
    roster = await council_roster(session, councils[0])
    return {"council": councils[0], "members": sorted(m.member_id for m in roster.members_on(on)), "on": on}
