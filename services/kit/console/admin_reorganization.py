"""The Central Board's page of reorganization plans: the known plans, a dry run started from the
page, its progress as the workflow reports it (the tiers it has previewed, the nominations so far),
and, once done, the per-item report as tables and as CSV.

The rules are the API's (`POST /reorganizations/{code}/dry-run`): only the Central Board previews
(`require_central_board`), the plan is validated first (`checked_plan`), and the nominations part
is the same dry-run ReorganizationWorkflow. The API waits for that workflow; the page starts it and
polls its status query, so the bar moves as each tier finishes. Applying a plan stays with the API
and the CLI (the board's admin only).
"""

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from services.kit.console.rendering import after_action, render, templates
from services.kit.console.session import checked_form, console_officer
from services.kit.errors import NotFound, Unavailable
from services.kit.identity.service import Caller
from services.kit.reorganization.client import PlanRuns, preview_key
from services.kit.reorganization.report import AMBIGUOUS, MOVED, NOMINATIONS, as_csv, cell
from services.kit.reorganization.service import (
    checked_plan,
    dry_run_report,
    known_plans,
    preview_rows,
    require_central_board,
)
from shared.contracts.tiers import TIER_ORDER

router = APIRouter(prefix="/console", include_in_schema=False)
RUN = re.compile(r"[0-9a-f]{8}")
templates.env.filters["cell"] = cell


def plan_runs(request: Request) -> PlanRuns:
    if request.app.state.kit.temporal is None:
        raise Unavailable(
            "Temporal is not connected to this service: a dry run cannot start now",
            vi="dịch vụ chưa kết nối Temporal: chưa chạy thử được, hãy thử lại sau",
        )
    return PlanRuns(request.app.state.kit.temporal)


def checked_run(code: str, run: str) -> None:
    if code not in known_plans() or not RUN.fullmatch(run):
        raise NotFound(f"no dry run {run[:20]} of plan {code[:40]}", vi=f"không có lần chạy thử {run[:20]}")


@router.get("/reorganization", response_class=HTMLResponse)
async def plans_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    require_central_board(caller, "preview_reorganization")
    plans = [load() for load in known_plans().values()]
    return render(request, "reorganization.html", caller=caller, plans=plans)


@router.post("/reorganization/{code}/dry-runs")
async def start_dry_run(code: str, request: Request, caller: Caller = Depends(console_officer)) -> Response:
    """Validate the plan and start its dry run; the browser goes to the run's page."""
    await checked_form(request)
    require_central_board(caller, "preview_reorganization")
    runs = plan_runs(request)
    async with request.app.state.kit.sessions() as session:
        plan, _ = await checked_plan(session, code)
    run = await runs.start_preview(plan, code, request.app.state.kit.settings.today())
    return after_action(request, f"/console/reorganization/{code}/dry-runs/{run}")


@router.get("/reorganization/{code}/dry-runs/{run}", response_class=HTMLResponse)
async def dry_run_page(code: str, run: str, request: Request, caller: Caller = Depends(console_officer)) -> Response:
    require_central_board(caller, "preview_reorganization")
    checked_run(code, run)
    return render(request, "reorganization_run.html", caller=caller, **await progress_of(request, code, run))


@router.get("/reorganization/{code}/dry-runs/{run}/progress", response_class=HTMLResponse)
async def dry_run_progress(
    code: str, run: str, request: Request, caller: Caller = Depends(console_officer)
) -> Response:
    """The bar and, once done, the report: htmx asks every second until it is done."""
    require_central_board(caller, "preview_reorganization")
    checked_run(code, run)
    return render(request, "reorganization_progress.html", caller=caller, **await progress_of(request, code, run))


@router.get("/reorganization/{code}/dry-runs/{run}/report.csv")
async def dry_run_csv(code: str, run: str, request: Request, caller: Caller = Depends(console_officer)) -> Response:
    require_central_board(caller, "preview_reorganization")
    checked_run(code, run)
    status = await plan_runs(request).preview_status(code, run)
    if status is None or status.phase != "done":
        raise NotFound(f"the dry run {run} is not finished yet", vi=f"lần chạy thử {run} chưa xong")
    report = await report_of(request, code, run)
    return PlainTextResponse(
        as_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{code}-dry-run-{run}.csv"'},
    )


async def progress_of(request: Request, code: str, run: str) -> dict[str, Any]:
    """What the workflow says it has done; the report once it is done."""
    status = await plan_runs(request).preview_status(code, run)
    done = status is not None and status.phase == "done"
    return {
        "code": code,
        "run": run,
        "state": status,
        "tiers": [step["tier"] for step in status.applied] if status else [],
        "tier_total": len(TIER_ORDER),
        "done": done,
        "report": await report_of(request, code, run) if done else None,
        "columns": {"moved": MOVED, "ambiguous": AMBIGUOUS, "nominations": NOMINATIONS},
    }


async def report_of(request: Request, code: str, run: str) -> dict[str, Any]:
    """The API's dry-run report: what the plan changes in this replica, and the run's nominations."""
    async with request.app.state.kit.sessions() as session:
        plan, application = await checked_plan(session, code)
        report = await dry_run_report(session, code, plan, application)
        report["nominations"] = await preview_rows(session, preview_key(code, run))
    return report
