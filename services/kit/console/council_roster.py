"""The council's page (Hội đồng TĐKT): the agency's council, who sits on it on a date, and, for the
agency's chair or admin, setting it up, appointing a member for a period and ending a membership.
The rules are `services/kit/councils/service.py`'s, as for `POST /councils`,
`POST /councils/{id}/members` and `POST /councils/{id}/members/{officer}/leave`: among them, the
roster of a day the council met cannot change, since it is that day's ballot denominator."""

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.kit.console.fields import day_of, optional_day_of
from services.kit.console.rendering import render, said
from services.kit.console.session import checked_form, console_officer
from services.kit.councils.schemas import CouncilIn, MemberIn
from services.kit.councils.service import appoint_member, councils_of, end_membership, roster_on, set_up_council
from services.kit.errors import DomainError, Invalid
from services.kit.identity.officers import officers_of
from services.kit.identity.service import Caller, require
from shared.rules.roles import may

router = APIRouter(prefix="/console", include_in_schema=False)
FIELDS = ("name", "quorum", "threshold", "council_id", "officer_id", "position", "starts_on", "ends_on", "leave_on")
POSITIONS = ("chair", "vice_chair", "secretary", "member")


@router.get("/council", response_class=HTMLResponse)
async def council_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    """Any officer of the agency sees its council and roster; the day is `on` (default: today)."""
    written = request.query_params.get("on", "")
    try:
        on = optional_day_of(written, "the day", "ngày xem") or request.app.state.kit.settings.today()
    except DomainError as refusal:
        return await show_council(request, caller, status=refusal.status, error=said(request, refusal))
    return await show_council(request, caller, on=on)


async def show_council(
    request: Request, caller: Caller, *, on: date | None = None, status: int = 200, error: str | None = None,
    done: str | None = None, values: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    day = on or request.app.state.kit.settings.today()
    async with request.app.state.kit.sessions() as session:
        councils = [
            await roster_on(session, caller=caller, council_id=council.id, day=day)
            for council in await councils_of(session, caller.agency_code)
        ]
        officers = [o for o in await officers_of(session, caller.agency_code) if o.active]
    return render(
        request, "council.html", status=status, caller=caller, councils=councils, officers=officers, on=day,
        positions=POSITIONS, manages=may(caller.role, "manage_council"), error=error, done=done,
        values=values or {},
    )  # fmt: skip


def council_form(values: dict[str, str]) -> CouncilIn:
    try:
        return CouncilIn.model_validate(
            {
                "name": values["name"],
                "quorum": values["quorum"] or None,
                "default_threshold": values["threshold"] or "majority",
            }
        )
    except ValidationError as err:
        fields = ", ".join(str(e["loc"][-1]) for e in err.errors())
        raise Invalid(
            f"the council's {fields} cannot be read: a name, and shares written like 2/3 or 0.8",
            vi="tên Hội đồng, tỷ lệ có mặt và ngưỡng đồng ý chưa đúng: ghi tên, và tỷ lệ dạng 2/3 hoặc 0,8",
        ) from None


def member_form(values: dict[str, str]) -> MemberIn:
    if values["position"] not in POSITIONS:
        raise Invalid(
            f"unknown position '{values['position'][:20]}'", vi=f"chức danh '{values['position'][:20]}' không có"
        )
    return MemberIn.model_validate(
        {
            "officer_id": values["officer_id"],
            "position": values["position"],
            "starts_on": day_of(values["starts_on"], "the first day", "ngày bắt đầu"),
            "ends_on": optional_day_of(values["ends_on"], "the last day", "ngày kết thúc"),
        }
    )


@router.post("/council")
async def council_action(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    """One form per action (`action`: create, appoint, leave); a refusal shows the form as it was."""
    form = await checked_form(request)
    action = str(form.get("action", ""))
    values = {key: str(form.get(key, "")).strip() for key in FIELDS}
    try:
        require(caller, "manage_council")
        async with request.app.state.kit.sessions() as session, session.begin():
            if action == "create":
                body = council_form(values)
                await set_up_council(
                    session, caller=caller, name=body.name, quorum=body.quorum,
                    default_threshold=body.default_threshold,
                )  # fmt: skip
            elif action == "appoint":
                member = member_form(values)
                await appoint_member(
                    session, caller=caller, council_id=values["council_id"], officer_id=member.officer_id,
                    position=member.position, starts_on=member.starts_on, ends_on=member.ends_on,
                    today=request.app.state.kit.settings.today(),
                )  # fmt: skip
            elif action == "leave":
                await end_membership(
                    session, caller=caller, council_id=values["council_id"], officer_id=values["officer_id"],
                    on=day_of(values["leave_on"], "the first day off the council", "ngày thôi làm thành viên"),
                    today=request.app.state.kit.settings.today(),
                )  # fmt: skip
            else:
                raise Invalid(f"unknown action '{action[:20]}'", vi=f"không rõ thao tác '{action[:20]}'")
    except DomainError as refusal:
        return await show_council(request, caller, status=refusal.status, error=said(request, refusal), values=values)
    return await show_council(request, caller, done=action)
