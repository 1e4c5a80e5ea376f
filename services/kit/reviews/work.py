"""Sharing a level's work among its officers: assigning a nomination to a colleague, and urging
(đôn đốc) whoever it waits on. Both are audited; the urging reaches its agency's officers as a
notification, by event. Functions never commit."""

import uuid
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Conflict, Invalid, NotFound
from services.kit.identity.models import Officer
from services.kit.identity.service import Caller, require
from services.kit.nominations.models import Review
from services.kit.nominations.service import pending_review
from shared.contracts.events import NominationUrged
from shared.platform.audit import append_audit
from shared.platform.outbox import add_event


async def colleagues(session: AsyncSession, agency_code: str) -> list[Officer]:
    """The agency's active officers, by name: whom a nomination may be assigned to."""
    rows = await session.exec(
        select(Officer).where(Officer.agency_code == agency_code, col(Officer.active)).order_by(col(Officer.name))
    )
    return list(rows.all())


async def assign_review(
    session: AsyncSession, *, caller: Caller, nomination_id: str, officer_id: str, at: datetime
) -> Review:
    """Give a nomination pending at the caller's agency to an active officer of the same agency."""
    require(caller, "decide")  # the head shares the work out, as it takes the decisions
    review = await pending_review(session, caller=caller, nomination_id=nomination_id)
    officer = await session.get(Officer, officer_id)
    if officer is None or officer.agency_code != caller.agency_code or not officer.active:
        raise Invalid(
            f"{officer_id} is not an active officer of {caller.agency_code}: assign to a colleague", "NotAColleague"
        )
    previous, review.assigned_to = review.assigned_to, officer_id
    session.add(review)
    await append_audit(
        session,
        idempotency_key=f"{nomination_id}:assigned:{uuid.uuid4()}",
        at=at,
        agency_code=caller.agency_code,
        nomination_id=nomination_id,
        actor=caller.officer_id,
        action="review.assigned",
        outcome="assigned",
        details={"step": review.step, "visit": review.visit, "to_officer": officer_id, "from_officer": previous},
    )
    return review


async def urge_review(
    session: AsyncSession, *, caller: Caller, nomination_id: str, at: datetime, message: str | None = None
) -> str:
    """Remind whoever the nomination waits on, and return that agency: this agency's officers while
    it is pending here, the proposer while it is returned to them for a supplement. A nomination
    decided otherwise waits on nobody here."""
    require(caller, "urge")
    reviews = await session.exec(
        select(Review)
        .where(Review.nomination_id == nomination_id, Review.agency_code == caller.agency_code)
        .order_by(col(Review.opened_at).desc())
    )
    review = reviews.first()
    if review is None:
        raise NotFound(f"nomination {nomination_id} has never been at {caller.agency_code}", "NeverHere")
    if review.status == "pending":
        to_agency = caller.agency_code
    elif review.status == "returned":
        to_agency = review.proposer_agency
    else:
        raise Conflict(
            f"nomination {nomination_id} was already {review.status} here: it waits on nobody here", "WaitsOnNobody"
        )
    await append_audit(
        session,
        idempotency_key=f"{nomination_id}:urged:{uuid.uuid4()}",
        at=at,
        agency_code=caller.agency_code,
        nomination_id=nomination_id,
        actor=caller.officer_id,
        action="review.urged",
        outcome=review.status,
        reason=message,
        details={"step": review.step, "visit": review.visit, "to_agency": to_agency},
    )
    add_event(
        session,
        NominationUrged(
            nomination_id=nomination_id,
            award_code=review.award_code,
            nominee_name=review.nominee_name,
            proposer_agency=review.proposer_agency,
            agency_code=caller.agency_code,
            step=review.step,
            actor=caller.officer_id,
            reason=message,
            to_agency=to_agency,
            assigned_to=review.assigned_to if review.status == "pending" else None,
        ),
        source_agency=caller.agency_code,
        occurred_at=at,
        key=nomination_id,
    )
    return to_agency
