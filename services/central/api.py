"""Central-only routes: the registry of conferred awards."""

from fastapi import APIRouter, Depends
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.central.models import ConferredAward
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
