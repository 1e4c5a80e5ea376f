"""The agency registry over HTTP, for officers and the public: find an agency, read its story."""

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import PUBLIC_ROUTE, db, settings
from services.kit.registry.lookup import agency_story, find_agencies
from shared.platform.settings import ServiceSettings
from shared.rules.days import Day

router = APIRouter(prefix="/agencies", tags=["agencies"])


@router.get(
    "",
    openapi_extra=PUBLIC_ROUTE,
    summary="Find agencies in force on a date by code or by name, with or without diacritics (no token needed)",
)
async def search(
    q: str = Query(min_length=2, max_length=100, description="A code, or part of a name: 'binh son', 'Bình Sơn'"),
    on: Day | None = Query(default=None, description="The date (default: the service's today)"),
    limit: int = Query(default=20, ge=1, le=50),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> list[dict[str, Any]]:
    return await find_agencies(session, query=q, on=on or config.today(), limit=limit)


@router.get(
    "/{code}",
    openapi_extra=PUBLIC_ROUTE,
    summary="An agency's versions, parent, predecessors and successors on a date (no token needed)",
)
async def story(
    code: str,
    on: Day | None = Query(default=None, description="The date (default: the service's today)"),
    session: AsyncSession = Depends(db, scope="function"),
    config: ServiceSettings = Depends(settings),
) -> dict[str, Any]:
    return await agency_story(session, code=code.strip().upper(), on=on or config.today())
