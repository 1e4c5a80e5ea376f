"""Emulation movements over HTTP: launched and run by their launcher (chair, admin), registered in
by the agencies under it. Routes stay thin."""

from typing import Any

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db, settings
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from services.kit.movements.running import move_status, record_example, record_review
from services.kit.movements.schemas import ExampleIn, MovementIn, RegistrationIn, ReviewIn, StatusIn
from services.kit.movements.service import (
    launch_movement,
    movement_out,
    movements_open_to,
    register_in_movement,
    registration_out,
    registrations_seen_by,
    seen_by,
)
from shared.platform.settings import ServiceSettings

router = APIRouter(prefix="/movements", tags=["movements"])


@router.post("", status_code=201, summary="Launch an emulation movement (chair, admin of the launching agency)")
async def launch(
    body: MovementIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    require(caller, "run_movements")
    return movement_out(await launch_movement(session, caller=caller, body=body, today=config.today()))


@router.get("", summary="The movements open to the caller's agency, and those it launched")
async def list_movements(
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> list[dict[str, Any]]:
    return [movement_out(m) for m in await movements_open_to(session, caller.agency_code, config.today())]


@router.get("/{code}", summary="A movement; its launcher also sees every registration, others their own")
async def get_movement(
    code: str,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    found = await seen_by(session, caller, code, config.today())
    registrations = await registrations_seen_by(session, caller, found)
    return {**movement_out(found), "registrations": [registration_out(r) for r in registrations]}


@router.post("/{code}/registrations", status_code=201, summary="Register the caller's agency, with its pledge")
async def register(
    code: str,
    body: RegistrationIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    require(caller, "register_movements")
    row = await register_in_movement(session, caller=caller, code=code, body=body, today=config.today())
    return registration_out(row)


@router.post("/{code}/reviews", status_code=201, summary="Record a mid-term or the final review (the launcher)")
async def review(
    code: str,
    body: ReviewIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    require(caller, "run_movements")
    return movement_out(await record_review(session, caller=caller, code=code, body=body, today=config.today()))


@router.post("/{code}/examples", status_code=201, summary="Record a model example (điển hình tiên tiến) (the launcher)")
async def example(
    code: str,
    body: ExampleIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    require(caller, "run_movements")
    return movement_out(await record_example(session, caller=caller, code=code, body=body, today=config.today()))


@router.post("/{code}/status", summary="Move the movement to its next status (the launcher)")
async def status(
    code: str,
    body: StatusIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> dict[str, Any]:
    require(caller, "run_movements")
    return movement_out(await move_status(session, caller=caller, code=code, body=body))
