"""Reorganization plans over HTTP: dry runs, applying a plan, its progress and report."""

import uuid
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import WorkflowExecutionStatus
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from services.kit.deps import db, end_transaction, new_transaction
from services.kit.errors import Invalid, NotFound, Unavailable
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from services.kit.registry.models import Agency
from services.kit.reorganization.report import _csv, _html, _plain
from services.kit.reorganization.service import find_in_flight, known_plans, outcomes_of, plan_by_code
from shared.contracts.reorganization import ReorganizationInput
from shared.contracts.tiers import NOMINATION_TASK_QUEUE
from shared.reorg.apply import apply_plan
from shared.reorg.plan import PlanError
from workflows.reorganization.workflows import ReorganizationWorkflow, workflow_id_for

router = APIRouter()


def _plan(code: str):  # type: ignore[no-untyped-def]
    try:
        return plan_by_code(code)
    except KeyError as err:
        raise NotFound(str(err).strip("'\"")) from None


async def _checked(session: AsyncSession, code: str):  # type: ignore[no-untyped-def]
    """The plan and what applying it to this replica would do; an invalid plan is a 422."""
    plan = _plan(code)
    snapshot = [r.model_dump(exclude={"id"}) for r in (await session.exec(select(Agency))).all()]
    try:
        return plan, apply_plan(snapshot, plan)
    except PlanError as err:
        raise Invalid(f"plan {code} is invalid: {err}") from None


@router.get("/reorganizations", tags=["reorganization"], summary="Known reorganization plans")
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
    tags=["reorganization"],
    summary="What the plan would change: agencies, moved and ambiguous units, and where every "
    "nomination in flight would go (JSON, CSV or HTML)",
)
async def dry_run(
    code: str,
    request: Request,
    format: str = "json",
    nominations: bool = True,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):  # type: ignore[no-untyped-def]
    require(caller, "preview_reorganization")
    plan, application = await _checked(session, code)
    in_flight = await find_in_flight(session, plan.effective)
    previews: list[dict[str, Any]] = []
    if nominations:
        previews = await _preview_nominations(request, session, code, plan)
    report = {
        "plan": code,
        "effective": plan.effective.isoformat(),
        "operations": len(plan.operations),
        "closed": len(application.closed),
        "opened": len(application.opened),
        "moved_units": [_plain(m) for m in application.moved_units.values()],
        "ambiguous": [_plain(a) for a in application.ambiguous.values()],
        "nominations_in_flight_here": in_flight,
        "nominations": previews,
    }
    if format == "csv":
        return PlainTextResponse(_csv(report), media_type="text/csv; charset=utf-8")
    if format == "html":
        return HTMLResponse(_html(report))
    return report


async def _preview_nominations(request: Request, session: AsyncSession, code: str, plan) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Every tier previews the nominations pending at its agencies (a dry-run ReorganizationWorkflow)."""
    run = uuid.uuid4().hex[:8]
    handle = await request.app.state.kit.temporal.start_workflow(
        ReorganizationWorkflow.run,
        ReorganizationInput(
            plan_code=code,
            effective=plan.effective.isoformat(),
            legal_basis="; ".join(plan.legal_basis),
            today=request.app.state.kit.settings.today().isoformat(),
            dry_run=True,
            preview_key=f"{code}#dry-run-{run}",
        ),
        id=f"{workflow_id_for(code)}-preview-{run}",
        task_queue=NOMINATION_TASK_QUEUE,
        execution_timeout=timedelta(minutes=30),
    )
    await end_transaction(session)  # central's activities record the preview in this database
    await handle.result()
    key = f"{code}#dry-run-{run}"
    async with new_transaction(request) as fresh:
        rows = await outcomes_of(fresh, key)
    return [r.model_dump(exclude={"id", "plan_code", "recorded_at"}) for r in rows]


@router.post(
    "/reorganizations/{code}/apply",
    status_code=202,
    tags=["reorganization"],
    summary="Apply a plan: validated first, then the ReorganizationWorkflow re-routes every nomination",
)
async def apply(
    code: str,
    request: Request,
    batch_size: int = 100,
    concurrency: int = 8,
    pause_seconds: float = 0.0,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):  # type: ignore[no-untyped-def]
    require(caller, "apply_reorganization")
    if not 1 <= batch_size <= 1000 or not 1 <= concurrency <= 64 or not 0 <= pause_seconds <= 3600:
        raise Invalid("batch_size must be 1-1000, concurrency 1-64, pause_seconds 0-3600")
    plan, _ = await _checked(session, code)
    client = request.app.state.kit.temporal
    workflow_id = workflow_id_for(code)
    try:
        await client.start_workflow(
            ReorganizationWorkflow.run,
            ReorganizationInput(
                plan_code=code,
                effective=plan.effective.isoformat(),
                legal_basis="; ".join(plan.legal_basis),
                today=request.app.state.kit.settings.today().isoformat(),
                batch_size=batch_size,
                concurrency=concurrency,
                pause_seconds=pause_seconds,
            ),
            id=workflow_id,
            task_queue=NOMINATION_TASK_QUEUE,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            execution_timeout=timedelta(days=3650),
        )
        started = True
    except WorkflowAlreadyStartedError:
        started = False
        await _tell_the_date(client, workflow_id, request.app.state.kit.settings.today().isoformat())
    return {
        "plan": code,
        "workflow_id": workflow_id,
        "started": started,
        "note": None if started else "this plan was already applied or is being applied: nothing new started",
    }


async def _tell_the_date(client, workflow_id: str, today: str) -> None:  # type: ignore[no-untyped-def]
    """A plan waiting for its effective date learns this service's business date."""
    handle = client.get_workflow_handle_for(ReorganizationWorkflow.run, workflow_id)
    description = await handle.describe()
    if description.status == WorkflowExecutionStatus.RUNNING:
        await handle.signal(ReorganizationWorkflow.business_date, today)


@router.get("/reorganizations/{code}", tags=["reorganization"], summary="Progress of a plan's application")
async def progress(code: str, request: Request, caller: Caller = Depends(current_officer)) -> dict[str, Any]:
    _plan(code)
    handle = request.app.state.kit.temporal.get_workflow_handle_for(ReorganizationWorkflow.run, workflow_id_for(code))
    try:
        description = await handle.describe()
    except Exception:  # noqa: BLE001 - not started yet is the common case
        return {"plan": code, "phase": "not_started"}
    try:
        if description.status == WorkflowExecutionStatus.COMPLETED:
            status = await handle.result()
        else:
            status = await handle.query(ReorganizationWorkflow.status)
    except RPCError as err:  # a busy worker did not answer the query in time
        raise Unavailable(f"the progress of {code} could not be read just now ({err}); try again") from None
    return {**status.__dict__}


@router.get(
    "/reorganizations/{code}/outcomes",
    tags=["reorganization"],
    summary="Per-nomination outcome of the re-routing (kept by the central service)",
)
async def outcomes(
    code: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> list[dict[str, Any]]:
    return [r.model_dump(exclude={"id"}) for r in await outcomes_of(session, code)]
