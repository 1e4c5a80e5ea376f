"""An agency's admin manages its officers: create, list, deactivate, change a role, reset a password."""

from datetime import UTC, datetime

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db
from services.kit.identity.auth import current_officer
from services.kit.identity.models import Officer
from services.kit.identity.officers import (
    agency_officer,
    change_role,
    create_officer,
    deactivate_officer,
    officers_of,
    reset_password,
    set_email,
)
from services.kit.identity.schemas import EmailIn, NewOfficerOut, OfficerIn, OfficerOut, RoleIn
from services.kit.identity.service import Caller, require

router = APIRouter(prefix="/officers", tags=["officers"])


def out(officer: Officer) -> OfficerOut:
    return OfficerOut(**officer.model_dump())


@router.get("", response_model=list[OfficerOut], summary="The officers of the caller's agency (admin)")
async def list_officers(
    caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    require(caller, "manage_officers", acting=False)
    return [out(officer) for officer in await officers_of(session, caller.agency_code)]


@router.post("", status_code=201, response_model=NewOfficerOut, summary="Create an officer of the caller's agency")
async def add_officer(
    body: OfficerIn, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> NewOfficerOut:
    require(caller, "manage_officers")
    officer, temporary = await create_officer(
        session, agency_code=caller.agency_code, by=caller.officer_id, now=datetime.now(UTC), **body.model_dump()
    )
    return NewOfficerOut(**officer.model_dump(), temporary_password=temporary)


@router.post("/{officer_id}/deactivate", response_model=OfficerOut, summary="Deactivate an officer: every token ends")
async def deactivate(
    officer_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
):
    require(caller, "manage_officers")
    officer = await agency_officer(session, caller, officer_id)
    return out(await deactivate_officer(session, caller=caller, officer=officer, now=datetime.now(UTC)))


@router.post("/{officer_id}/role", response_model=OfficerOut, summary="Give an officer another role")
async def set_role(
    officer_id: str,
    body: RoleIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    require(caller, "manage_officers")
    officer = await agency_officer(session, caller, officer_id)
    return out(await change_role(session, caller=caller, officer=officer, role=body.role, now=datetime.now(UTC)))


@router.post("/{officer_id}/email", response_model=OfficerOut, summary="Set or remove the officer's e-mail address")
async def change_email(
    officer_id: str,
    body: EmailIn,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    require(caller, "manage_officers")
    officer = await agency_officer(session, caller, officer_id)
    return out(await set_email(session, caller=caller, officer=officer, email=body.email, now=datetime.now(UTC)))


@router.post(
    "/{officer_id}/reset-password",
    summary="A temporary password, shown once; the lock is lifted and the officer's tokens end",
)
async def reset(
    officer_id: str, caller: Caller = Depends(current_officer), session: AsyncSession = Depends(db, scope="function")
) -> dict[str, str]:
    require(caller, "manage_officers")
    officer = await agency_officer(session, caller, officer_id)
    password = await reset_password(session, caller=caller, officer=officer, now=datetime.now(UTC))
    return {"officer_id": officer.id, "temporary_password": password}
