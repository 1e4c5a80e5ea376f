"""Central-only routes: the registry of conferred awards and statistics across reorganizations."""

from collections import defaultdict
from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Request
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.central.models import AwardOut, ConferredAward
from services.central.statistics import awards_by_province
from services.kit.deps import db
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller
from services.kit.outcomes.models import AwardChange
from services.kit.outcomes.schemas import ChangeOut

router = APIRouter(tags=["central"])


@router.get(
    "/awards",
    response_model=list[AwardOut],
    summary="Registry of awards conferred at any level, with their status (conferred, revoked, stripped) "
    "and later changes, as reported by award.* events",
)
async def conferred_awards(
    award_code: str | None = None,
    status: Literal["conferred", "revoked", "stripped"] | None = None,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
):
    query = select(ConferredAward)
    if award_code:
        query = query.where(ConferredAward.award_code == award_code)
    if status:
        query = query.where(ConferredAward.status == status)
    awards = list((await session.exec(query.order_by(col(ConferredAward.decided_on)))).all())
    changes: dict[str, list[ChangeOut]] = defaultdict(list)
    if ids := [a.nomination_id for a in awards]:
        rows = await session.exec(
            select(AwardChange).where(col(AwardChange.nomination_id).in_(ids)).order_by(col(AwardChange.seq))
        )
        for row in rows.all():
            changes[row.nomination_id].append(ChangeOut(**row.model_dump()))
    return [AwardOut(**a.model_dump(), changes=changes[a.nomination_id]) for a in awards]


@router.get(
    "/statistics/awards-by-province",
    summary="Conferred awards in force per province and year (revoked and stripped ones are not counted); "
    "predecessors counted under their successor",
)
async def statistics_by_province(
    request: Request,
    as_of: date | None = None,
    caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"),
) -> list[dict]:
    rows = await awards_by_province(session, as_of or request.app.state.kit.settings.today())
    return [row.__dict__ for row in rows]
