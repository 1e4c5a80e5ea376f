"""The delegations page (ủy quyền): the agency's delegations, lending one's deciding role to a
colleague for a period, and ending one early. The rules are `services/kit/delegations/service.py`'s,
as for `POST /delegations` and `POST /delegations/{id}/revoke`: the deciding roles (chair, admin)
lend their own role; its lender or an admin of the agency revokes it."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from services.kit.console.fields import day_of
from services.kit.console.rendering import render, said
from services.kit.console.session import checked_form, console_officer
from services.kit.delegations.service import create_delegation, delegation_out, delegations_of, revoke_delegation
from services.kit.errors import DomainError, Invalid
from services.kit.identity.officers import officers_of
from services.kit.identity.service import Caller, require

router = APIRouter(prefix="/console", include_in_schema=False)
FIELDS = ("to_officer_id", "starts_on", "ends_on", "reason", "delegation_id", "revoke_reason")


@router.get("/delegations", response_class=HTMLResponse)
async def delegations_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    require(caller, "decide", acting=False)
    return await show_delegations(request, caller)


async def show_delegations(
    request: Request, caller: Caller, *, status: int = 200, error: str | None = None, done: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    today = request.app.state.kit.settings.today()
    async with request.app.state.kit.sessions() as session:
        delegations = [delegation_out(d, today) for d in await delegations_of(session, caller.agency_code)]
        officers = await officers_of(session, caller.agency_code)
    names = {o.id: o.name for o in officers}
    colleagues = [o for o in officers if o.active and o.id != caller.officer_id]
    return render(
        request, "delegations.html", status=status, caller=caller, delegations=delegations, names=names,
        colleagues=colleagues, error=error, done=done, values=values or {}, is_admin=caller.role == "admin",
    )  # fmt: skip


@router.post("/delegations")
async def delegations_action(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    """One form per action (`action`: create, revoke); a refusal is shown with the form as it was."""
    form = await checked_form(request)
    action = str(form.get("action", ""))
    values = {key: str(form.get(key, "")).strip() for key in FIELDS}
    today = request.app.state.kit.settings.today()
    try:
        require(caller, "decide", acting=False)  # the service checks each action's own rule
        async with request.app.state.kit.sessions() as session, session.begin():
            if action == "create":
                await create_delegation(
                    session, caller=caller, to_officer_id=values["to_officer_id"], reason=values["reason"],
                    starts_on=day_of(values["starts_on"], "the first day", "ngày bắt đầu"),
                    ends_on=day_of(values["ends_on"], "the last day", "ngày kết thúc"), today=today,
                )  # fmt: skip
            elif action == "revoke":
                await revoke_delegation(
                    session, caller=caller, delegation_id=values["delegation_id"],
                    reason=values["revoke_reason"] or None, today=today,
                )  # fmt: skip
            else:
                raise Invalid(f"unknown action '{action[:20]}'", vi=f"không rõ thao tác '{action[:20]}'")
    except DomainError as refusal:
        return await show_delegations(
            request, caller, status=refusal.status, error=said(request, refusal), values=values
        )
    return await show_delegations(request, caller, done=action)
