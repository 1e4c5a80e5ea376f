"""The movements' pages (phong trào thi đua): those the agency launched or may join; launching one
(chair, admin); registering with a pledge; and, for the launcher, its reviews, model examples and
status. The rules are `services/kit/movements`'s, as for the `/movements` API."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.kit.console.fields import checked, day_of, optional_day_of
from services.kit.console.rendering import after_action, render, said
from services.kit.console.session import checked_form, console_officer
from services.kit.errors import DomainError, Invalid
from services.kit.identity.service import Caller, require
from services.kit.movements.running import move_status, record_example, record_review
from services.kit.movements.schemas import ExampleIn, MovementIn, RegistrationIn, ReviewIn, StatusIn
from services.kit.movements.service import (
    ORDER,
    launch_movement,
    movements_open_to,
    register_in_movement,
    registrations_seen_by,
    seen_by,
)
from shared.rules.movements import KINDS, REVIEW_KINDS, SCOPES, STATUSES
from shared.rules.roles import may

router = APIRouter(prefix="/console", include_in_schema=False)
LAUNCH = ("name", "theme", "kind", "scope", "starts_on", "ends_on", "launch_document", "criteria")
ACT = ("items", "review_kind", "held_on", "summary", "document", "name", "agency_code", "achievement", "note")


def words() -> dict[str, Any]:
    return {"kinds": KINDS, "scopes": SCOPES, "statuses": STATUSES, "review_kinds": REVIEW_KINDS}


@router.get("/movements", response_class=HTMLResponse)
async def movements_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    return await show_movements(request, caller)


async def show_movements(
    request: Request, caller: Caller, *, status: int = 200, error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    today = request.app.state.kit.settings.today()
    async with request.app.state.kit.sessions() as session:
        rows = await movements_open_to(session, caller.agency_code, today)
    return render(
        request, "movements.html", status=status, caller=caller, rows=rows, error=error, values=values or {},
        launches=may(caller.role, "run_movements"), **words(),
    )  # fmt: skip


def criteria_of(text: str) -> list[dict[str, Any]]:
    """One criterion a line; a line starting with * is mandatory. Codes follow their order."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [
        {"code": f"tc{n}", "text": line.lstrip("*").strip(), "mandatory": line.startswith("*")}
        for n, line in enumerate(lines, start=1)
    ]


def launch_form(values: dict[str, str]) -> MovementIn:
    try:
        return MovementIn.model_validate(
            {
                **{key: values[key] for key in ("name", "theme", "kind", "scope", "launch_document")},
                "starts_on": day_of(values["starts_on"], "the first day", "ngày bắt đầu"),
                "ends_on": optional_day_of(values["ends_on"], "the last day", "ngày kết thúc"),
                "criteria": criteria_of(values["criteria"]),
            }
        )
    except ValidationError as err:
        wrong = ", ".join(str(e["loc"][0]) if e["loc"] else e["msg"] for e in err.errors())
        raise Invalid(
            f"the movement cannot be launched as written: {wrong}",
            vi="chưa đủ thông tin phát động: ghi tên, chủ đề, văn bản phát động, hình thức, phạm vi, thời gian "
            f"(ngày kết thúc, trừ phong trào thường xuyên) và tiêu chí mỗi dòng một tiêu chí ({wrong})",
        ) from None


@router.post("/movements")
async def launch(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    form = await checked_form(request)
    values = {key: str(form.get(key, "")).strip() for key in LAUNCH}
    today = request.app.state.kit.settings.today()
    try:
        require(caller, "run_movements")
        body = launch_form(values)
        async with request.app.state.kit.sessions() as session, session.begin():
            found = await launch_movement(session, caller=caller, body=body, today=today)
    except DomainError as refusal:
        return await show_movements(request, caller, status=refusal.status, error=said(request, refusal), values=values)
    return after_action(request, f"/console/movements/{found.code}")


@router.get("/movements/{code}", response_class=HTMLResponse)
async def movement_page(request: Request, code: str, caller: Caller = Depends(console_officer)) -> Response:
    return await show_movement(request, caller, code)


async def show_movement(
    request: Request, caller: Caller, code: str, *, status: int = 200, error: str | None = None,
    done: str | None = None, values: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    today = request.app.state.kit.settings.today()
    async with request.app.state.kit.sessions() as session:
        found = await seen_by(session, caller, code, today)
        registrations = await registrations_seen_by(session, caller, found)
    runs = found.launcher_agency == caller.agency_code and may(caller.role, "run_movements")
    position = ORDER.index(found.status)
    return render(
        request, "movement.html", status=status, caller=caller, m=found, registrations=registrations, runs=runs,
        joins=not runs and found.launcher_agency != caller.agency_code and may(caller.role, "register_movements")
        and not registrations and found.status == "dang_phat_dong",
        next_status=ORDER[position + 1] if position + 1 < len(ORDER) else None, error=error, done=done,
        values=values or {}, **words(),
    )  # fmt: skip


@router.post("/movements/{code}")
async def act(request: Request, code: str, caller: Caller = Depends(console_officer)) -> Response:
    """One form per action (`action`: register, review, example, status); a refusal keeps the form."""
    form = await checked_form(request)
    action = str(form.get("action", ""))
    values = {key: str(form.get(key, "")).strip() for key in ACT}
    today = request.app.state.kit.settings.today()
    try:
        async with request.app.state.kit.sessions() as session, session.begin():
            if action == "register":
                require(caller, "register_movements")
                pledged = [str(p) for p in form.getlist("pledged")]
                pledge = checked(RegistrationIn, {"pledged": pledged, "items": values["items"].splitlines()})
                await register_in_movement(session, caller=caller, code=code, body=pledge, today=today)
            elif action == "review":
                require(caller, "run_movements")
                review = checked(ReviewIn, {
                    "kind": values["review_kind"], "summary": values["summary"], "document": values["document"] or None,
                    "held_on": day_of(values["held_on"], "the review's day", "ngày sơ kết, tổng kết"),
                })  # fmt: skip
                await record_review(session, caller=caller, code=code, body=review, today=today)
            elif action == "example":
                require(caller, "run_movements")
                example = checked(ExampleIn, {
                    "name": values["name"], "agency_code": values["agency_code"].upper(),
                    "achievement": values["achievement"], "collective": form.get("collective") == "1",
                })  # fmt: skip
                await record_example(session, caller=caller, code=code, body=example, today=today)
            elif action == "status":
                require(caller, "run_movements")
                moved = checked(StatusIn, {"status": str(form.get("status", "")), "note": values["note"] or None})
                await move_status(session, caller=caller, code=code, body=moved)
            else:
                raise Invalid(f"unknown action '{action[:20]}'", vi=f"không rõ thao tác '{action[:20]}'")
    except DomainError as refusal:
        return await show_movement(
            request, caller, code, status=refusal.status, error=said(request, refusal), values=values
        )
    return await show_movement(request, caller, code, done=action)
