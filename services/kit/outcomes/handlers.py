"""Services that proposed or reviewed a nomination keep its award's later changes."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.nominations.models import Nomination, Review
from services.kit.outcomes.service import store_change
from shared.contracts.events import (
    CHANGE_OF_EVENT,
    AwardRestored,
    AwardRevoked,
    AwardStripped,
    Envelope,
    Event,
)
from shared.platform.consumer import Handler


async def remember_award_change(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    """A service that proposed or reviewed the nomination keeps its award's changes, so that
    `GET /awards/{id}/changes` answers there too (the deciding service already has its own row)."""
    assert isinstance(event, AwardRevoked | AwardStripped | AwardRestored)
    known = (
        await session.get(Nomination, event.nomination_id) is not None
        or (await session.exec(select(Review.id).where(Review.nomination_id == event.nomination_id))).first()
        is not None
    )
    if known:
        await store_change(session, event, event_id=envelope.event_id, recorded_at=envelope.occurred_at)


CHANGE_HANDLERS: dict[str, Handler] = {event_type: remember_award_change for event_type in CHANGE_OF_EVENT}
