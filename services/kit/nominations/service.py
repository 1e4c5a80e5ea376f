"""Looking nominations up at this service: the proposer's own, the reviews pending at an agency,
the audit trail of one. Functions never commit."""

from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Conflict, NotFound
from services.kit.identity.service import Caller
from services.kit.nominations.models import Nomination, Review
from shared.contracts.nomination import NominationInput
from shared.platform.audit import AuditRecord


async def own_nomination(session: AsyncSession, *, caller: Caller, nomination_id: str) -> Nomination:
    """The caller's agency's own dossier; others' dossiers look absent (404), never forbidden."""
    nomination = await session.get(Nomination, nomination_id)
    if nomination is None or nomination.proposer_agency != caller.agency_code:
        raise NotFound(f"no nomination {nomination_id} at {caller.agency_code}")
    return nomination


async def inbox(
    session: AsyncSession,
    *,
    agency_code: str,
    state: str | None = "pending",
    batch_no: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Review], int]:
    """The agency's reviews in the state (any if empty), of one tờ trình if `batch_no`, oldest first:
    the page asked for and how many there are in all."""
    where = [Review.agency_code == agency_code]
    if state:
        where.append(Review.status == state)
    if batch_no:
        where.append(Review.batch_no == batch_no)
    total = (await session.exec(select(func.count()).select_from(Review).where(*where))).one()
    query = select(Review).where(*where).order_by(col(Review.opened_at), col(Review.id)).offset(offset).limit(limit)
    return list((await session.exec(query)).all()), total


async def pending_review(session: AsyncSession, *, caller: Caller, nomination_id: str) -> Review:
    reviews = (
        await session.exec(
            select(Review)
            .where(Review.nomination_id == nomination_id, Review.agency_code == caller.agency_code)
            .order_by(col(Review.opened_at).desc())
        )
    ).all()
    if not reviews:
        raise NotFound(f"nomination {nomination_id} has never been at {caller.agency_code}", "NeverHere")
    latest = reviews[0]
    if latest.status != "pending":
        raise Conflict(
            f"nomination {nomination_id} is not pending at {caller.agency_code}: it was already {latest.status} here",
            "NotPendingHere",
        )
    return latest


async def history(session: AsyncSession, *, caller: Caller, nomination_id: str) -> list[AuditRecord]:
    """This service's audit records for a nomination, for agencies on its route."""
    on_route = await agency_on_route(session, caller.agency_code, nomination_id)
    if not on_route:
        raise NotFound(f"nomination {nomination_id} is not on the route of {caller.agency_code}")
    rows = await session.exec(
        select(AuditRecord).where(AuditRecord.nomination_id == nomination_id).order_by(col(AuditRecord.seq))
    )
    return list(rows.all())


async def agency_on_route(session: AsyncSession, agency_code: str, nomination_id: str) -> bool:
    """Whether the agency is or was on the nomination's route (routes change after a reorganization)."""
    routes: list[list[dict]] = []
    nomination = await session.get(Nomination, nomination_id)
    if nomination is not None:
        routes.append(nomination.route or [{"agency_code": nomination.proposer_agency}])
    reviews = await session.exec(select(Review).where(Review.nomination_id == nomination_id))
    routes += [review.route for review in reviews.all()]
    return any(step["agency_code"] == agency_code for route in routes for step in route)


def fact_fields(
    n: NominationInput, agency_code: str, step: int, actor: str, reason: str | None = None
) -> dict[str, Any]:
    """The fields every nomination event carries: which nomination, where on its route, who, why."""
    return dict(
        nomination_id=n.nomination_id,
        award_code=n.award_code,
        nominee_name=n.nominee_name,
        proposer_agency=n.proposer_agency,
        agency_code=agency_code,
        step=step,
        actor=actor,
        reason=reason,
    )
