"""The admin's console page: the agency's officers. Create one (with a password, or a temporary one
shown once), change a role, set or remove an e-mail address, reset a password (a temporary one,
shown once), deactivate. The rules
are `services/kit/identity/officers.py`'s, as for the API and the CLI."""

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from services.kit.console.rendering import render
from services.kit.console.session import checked_form, console_officer
from services.kit.errors import DomainError, Invalid
from services.kit.identity.officers import (
    agency_officer,
    change_role,
    create_officer,
    deactivate_officer,
    officers_of,
    reset_password,
    set_email,
)
from services.kit.identity.service import Caller, require
from shared.rules.roles import ROLES

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/officers", response_class=HTMLResponse)
async def officers_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    require(caller, "manage_officers", acting=False)
    return await show_officers(request, caller)


async def show_officers(
    request: Request, caller: Caller, *, status: int = 200, error: str | None = None, secret: str | None = None,
    done: str | None = None,
) -> Response:  # fmt: skip
    async with request.app.state.kit.sessions() as session:
        officers = await officers_of(session, caller.agency_code)
    return render(
        request, "officers.html", status=status, caller=caller, officers=officers, roles=ROLES, error=error,
        secret=secret, done=done,
    )  # fmt: skip


@router.post("/officers")
async def officers_action(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    """One form per action (`action`: create, role, email, reset, deactivate); the answer shows the list,
    and a temporary password once, on this answer only."""
    form = await checked_form(request)
    action = str(form.get("action", ""))
    value = {
        key: str(form.get(key, "")).strip() for key in ("officer_id", "username", "name", "role", "password", "email")
    }
    now, secret = datetime.now(UTC), None
    try:
        require(caller, "manage_officers")
        async with request.app.state.kit.sessions() as session, session.begin():
            if action == "create":
                _, secret = await create_officer(
                    session, agency_code=caller.agency_code, username=value["username"], name=value["name"],
                    role=value["role"], password=value["password"] or None, by=caller.officer_id, now=now,
                    email=value["email"] or None,
                )  # fmt: skip
            elif action in ("role", "email", "reset", "deactivate"):
                officer = await agency_officer(session, caller, value["officer_id"])
                if action == "role":
                    await change_role(session, caller=caller, officer=officer, role=value["role"], now=now)
                elif action == "email":
                    await set_email(session, caller=caller, officer=officer, email=value["email"] or None, now=now)
                elif action == "reset":
                    secret = await reset_password(session, caller=caller, officer=officer, now=now)
                else:
                    await deactivate_officer(session, caller=caller, officer=officer, now=now)
            else:
                raise Invalid(f"unknown action '{action[:20]}'")
    except DomainError as refusal:
        return await show_officers(request, caller, status=refusal.status, error=str(refusal))
    return await show_officers(request, caller, secret=secret, done=action)
