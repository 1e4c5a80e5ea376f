"""Reorganization plans over HTTP: dry runs, applying a plan, its progress and report."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from services.kit.deps import db, end_transaction, new_transaction, settings, temporal
from services.kit.errors import Invalid
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller
from services.kit.openapi import served
from services.kit.reorganization.client import PlanRuns
from services.kit.reorganization.report import as_csv, as_html
from services.kit.reorganization.service import (
    checked_plan,
    dry_run_report,
    known_plans,
    outcomes_of,
    plan_by_code,
    preview_rows,
    require_central_board,
)
from shared.contracts.reorganization import workflow_id_for
from shared.platform.settings import ServiceSettings

router = APIRouter(tags=["reorganization"])


def plan_runs(client: Client = Depends(temporal)) -> PlanRuns:
    return PlanRuns(client)


@router.get("/reorganizations", summary="Known reorganization plans")
async def plans() -> list[dict[str, Any]]:
    found = []
    for code, load in known_plans().items():
        plan = load()
        found.append(
            {
                "code": code,
                "title": plan.title,
                "effective": plan.effective.isoformat(),
                "operations": len(plan.operations),
                "legal_basis": list(plan.legal_basis),
            }
        )
    return found


@router.post(
    "/reorganizations/{code}/dry-run",
    summary="What the plan would change: agencies, moved and ambiguous units, and where every "
    "nomination in flight would go (JSON, CSV or HTML)",
    responses={200: {"content": served("text/csv", "text/html")}},
)
async def dry_run(
    code: str,
    request: Request,
    format: str = "json",
    nominations: bool = True,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
    runs: PlanRuns = Depends(plan_runs),
):
    require_central_board(caller, "preview_reorganization")
    plan, application = await checked_plan(session, code)
    report = await dry_run_report(session, code, plan, application)
    if nominations:
        await end_transaction(session)  # central's activities record the preview in this database
        key = await runs.preview(plan, code, config.today())
        async with new_transaction(request) as fresh:
            report["nominations"] = await preview_rows(fresh, key)
    if format == "csv":
        return PlainTextResponse(as_csv(report), media_type="text/csv; charset=utf-8")
    if format == "html":
        return HTMLResponse(as_html(report))
    return report


@router.post(
    "/reorganizations/{code}/apply",
    status_code=202,
    summary="Apply a plan: validated first, then the ReorganizationWorkflow re-routes every nomination",
)
async def apply(
    code: str,
    batch_size: int = 100,
    concurrency: int = 8,
    pause_seconds: float = 0.0,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
    runs: PlanRuns = Depends(plan_runs),
) -> dict[str, Any]:
    require_central_board(caller, "apply_reorganization")
    if not 1 <= batch_size <= 1000 or not 1 <= concurrency <= 64 or not 0 <= pause_seconds <= 3600:
        raise Invalid("batch_size must be 1-1000, concurrency 1-64, pause_seconds 0-3600")
    plan, _ = await checked_plan(session, code)
    started = await runs.apply(
        plan, code, config.today(), batch_size=batch_size, concurrency=concurrency, pause_seconds=pause_seconds
    )
    return {
        "plan": code,
        "workflow_id": workflow_id_for(code),
        "started": started,
        "note": None if started else "this plan was already applied or is being applied: nothing new started",
    }


@router.get("/reorganizations/{code}", summary="Progress of a plan's application")
async def progress(
    code: str, caller: Caller = Depends(current_officer), runs: PlanRuns = Depends(plan_runs)
) -> dict[str, Any]:
    plan_by_code(code)
    return await runs.progress(code)


@router.get(
    "/reorganizations/{code}/outcomes",
    summary="Per-nomination outcome of the re-routing (kept by the central service)",
)
async def outcomes(
    code: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> list[dict[str, Any]]:
    require_central_board(caller, "preview_reorganization")
    return [r.model_dump(exclude={"id"}) for r in await outcomes_of(session, code)]
