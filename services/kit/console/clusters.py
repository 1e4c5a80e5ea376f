"""The clusters' pages (cụm, khối thi đua): those the agency organises or belongs to; for the
organiser, forming one, its members, leaders and years; the pledge's signatures, the scores, the
ranking with the proposals it drafted. The rules are `services/kit/clusters`'s, as for `/clusters`."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from services.kit.clusters.schemas import ClusterIn, LeadIn, MemberIn, RankIn, ScoreIn, SignIn, YearIn
from services.kit.clusters.scoring import give_score, open_year, rank_year, sign_pledge
from services.kit.clusters.service import add_member, appoint_lead, cluster_of, cluster_out, clusters_of, set_up_cluster
from services.kit.console.fields import checked, day_of
from services.kit.console.rendering import after_action, render, said
from services.kit.console.session import checked_form, console_officer
from services.kit.errors import DomainError, Invalid
from services.kit.identity.service import Caller, require
from shared.rules.roles import may

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/clusters", response_class=HTMLResponse)
async def clusters_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    return await show_clusters(request, caller)


async def show_clusters(request: Request, caller: Caller, *, status: int = 200, error: str | None = None) -> Response:
    async with request.app.state.kit.sessions() as session:
        rows = await clusters_of(session, caller.agency_code)
    return render(
        request, "clusters.html", status=status, caller=caller, rows=rows, error=error,
        organises=may(caller.role, "organise_clusters"),
    )  # fmt: skip


@router.post("/clusters")
async def form_cluster(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    form = await checked_form(request)
    values = {key: str(form.get(key, "")).strip() for key in ("code", "name", "kind", "formed_on", "tie_rule")}
    awards = {str(rank): str(form.get(f"award_{rank}", "")).strip() for rank in (1, 2, 3)}
    today = request.app.state.kit.settings.today()
    try:
        require(caller, "organise_clusters")
        body = checked(ClusterIn, {
            **values, "code": values["code"].upper(), "tie_rule": values["tie_rule"] or "peer_then_self",
            "formed_on": day_of(values["formed_on"], "the day it is formed", "ngày thành lập"),
            "awards_by_rank": {rank: code for rank, code in awards.items() if code},
        })  # fmt: skip
        async with request.app.state.kit.sessions() as session, session.begin():
            cluster = await set_up_cluster(session, caller=caller, body=body, today=today)
    except DomainError as refusal:
        return await show_clusters(request, caller, status=refusal.status, error=said(request, refusal))
    return after_action(request, f"/console/clusters/{cluster.code}")


@router.get("/clusters/{code}", response_class=HTMLResponse)
async def cluster_page(request: Request, code: str, caller: Caller = Depends(console_officer)) -> Response:
    return await show_cluster(request, caller, code)


async def show_cluster(
    request: Request, caller: Caller, code: str, *, status: int = 200, error: str | None = None,
    done: str | None = None,
) -> Response:  # fmt: skip
    today = request.app.state.kit.settings.today()
    async with request.app.state.kit.sessions() as session:
        cluster = await cluster_of(session, code, caller)
        shown = await cluster_out(session, cluster, today)
    runs = cluster.organiser_agency == caller.agency_code and may(caller.role, "organise_clusters")
    return render(
        request, "cluster.html", status=status, caller=caller, c=shown, runs=runs, today=today, error=error,
        done=done, acts=may(caller.role, "register_movements"),
    )  # fmt: skip


def points_of(form: Any, criteria: list[dict[str, Any]]) -> dict[str, int]:
    try:
        return {c["code"]: int(str(form.get(f"points_{c['code']}", "")).strip()) for c in criteria}
    except ValueError:
        raise Invalid("points are whole numbers", vi="điểm là số nguyên") from None


async def year_criteria(request: Request, caller: Caller, code: str, year: int) -> list[dict[str, Any]]:
    today = request.app.state.kit.settings.today()
    async with request.app.state.kit.sessions() as session:
        shown = await cluster_out(session, await cluster_of(session, code, caller), today)
    found = next((y for y in shown["years"] if y["year"] == year), None)
    return found["criteria"] if found else []


@router.post("/clusters/{code}")
async def act(request: Request, code: str, caller: Caller = Depends(console_officer)) -> Response:
    """One form per action (`action`: member, lead, year, sign, score, rank); a refusal keeps the page."""
    form = await checked_form(request)
    action = str(form.get("action", ""))
    field = {key: str(value).strip() for key, value in form.items() if isinstance(value, str)}
    today = request.app.state.kit.settings.today()
    try:
        year = int(field.get("year") or 0)
        criteria = await year_criteria(request, caller, code, year) if action == "score" else []
        async with request.app.state.kit.sessions() as session, session.begin():
            if action == "member":
                require(caller, "organise_clusters")
                starts = day_of(field.get("starts_on", ""), "the first day", "ngày bắt đầu")
                member = checked(MemberIn, {"agency_code": field.get("agency_code", "").upper(), "starts_on": starts})
                await add_member(session, caller=caller, code=code, body=member)
            elif action == "lead":
                require(caller, "organise_clusters")
                lead = checked(LeadIn, {
                    "agency_code": field.get("agency_code", "").upper(), "role": field.get("role"),
                    "starts_on": day_of(field.get("starts_on", ""), "the first day", "ngày bắt đầu"),
                    "ends_on": day_of(field.get("ends_on", ""), "the last day", "ngày kết thúc"),
                })  # fmt: skip
                await appoint_lead(session, caller=caller, code=code, body=lead)
            elif action == "year":
                require(caller, "organise_clusters")
                lines = [line.strip() for line in field.get("criteria", "").splitlines() if line.strip()]
                opened = checked(YearIn, {
                    "year": year, "pledge_items": field.get("pledge_items", "").splitlines(),
                    "criteria": [criterion(n, line) for n, line in enumerate(lines, start=1)],
                })  # fmt: skip
                await open_year(session, caller=caller, code=code, body=opened)
            elif action == "sign":
                require(caller, "register_movements")
                signer = checked(SignIn, {"agency_code": field.get("agency_code", "").upper()})
                await sign_pledge(session, caller=caller, code=code, year=year, body=signer, today=today)
            elif action == "score":
                require(caller, "register_movements")
                score = checked(ScoreIn, {
                    "agency_code": field.get("agency_code", "").upper(), "kind": field.get("kind"),
                    "by_agency": field.get("by_agency", "").upper() or None, "points": points_of(form, criteria),
                })  # fmt: skip
                await give_score(session, caller=caller, code=code, year=year, body=score)
            elif action == "rank":
                require(caller, "organise_clusters")
                await rank_year(session, caller=caller, code=code, year=year, body=RankIn(), today=today)
            else:
                raise Invalid(f"unknown action '{action[:20]}'", vi=f"không rõ thao tác '{action[:20]}'")
    except DomainError as refusal:
        return await show_cluster(request, caller, code, status=refusal.status, error=said(request, refusal))
    return await show_cluster(request, caller, code, done=action)


def criterion(number: int, line: str) -> dict[str, Any]:
    """ "Text | max points", one a line."""
    text, _, most = line.rpartition("|")
    try:
        return {"code": f"tc{number}", "text": text.strip(), "max_points": int(most.strip())}
    except ValueError:
        raise Invalid(
            f"criterion {number}: write 'text | maximum points'",
            vi=f"tiêu chí {number}: ghi 'nội dung | điểm tối đa'",
        ) from None
