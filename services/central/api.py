"""Central-only routes: the registry of conferred awards and statistics across reorganizations."""

from datetime import date

from fastapi import APIRouter, Depends, Request
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.central.models import ConferredAward
from services.central.statistics import awards_by_province
from shared.kit.api import db
from shared.kit.auth import Caller, current_officer

router = APIRouter(tags=["central"])


@router.get("/awards", response_model=list[ConferredAward],
            summary="Registry of awards conferred at any level, as reported by award.conferred events")
async def conferred_awards(award_code: str | None = None, caller: Caller = Depends(current_officer),
                           session: AsyncSession = Depends(db, scope="function")):
    query = select(ConferredAward)
    if award_code:
        query = query.where(ConferredAward.award_code == award_code)
    return list((await session.exec(query.order_by(ConferredAward.decided_on))).all())  # type: ignore[arg-type]


@router.get("/statistics/awards-by-province",
            summary="Conferred awards per province and year; predecessors counted under their successor")
async def statistics_by_province(request: Request, as_of: date | None = None, caller: Caller = Depends(current_officer),
                                 session: AsyncSession = Depends(db, scope="function")) -> list[dict]:
    rows = await awards_by_province(session, as_of or request.app.state.kit.settings.today())
    return [row.__dict__ for row in rows]
