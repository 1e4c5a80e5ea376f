"""Events the central service applies: every conferred award enters the national registry."""

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from services.central.models import ConferredAward
from shared.consumer import Handler
from shared.events import AwardConferred, Envelope, Event


async def register_conferral(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, AwardConferred)
    if await session.get(ConferredAward, event.nomination_id) is not None:
        return
    session.add(
        ConferredAward(
            nomination_id=event.nomination_id, award_code=event.award_code,
            nominee_name=event.nominee_name, proposer_agency=event.proposer_agency,
            conferred_by=event.agency_code, decision_no=event.decision_no,
            decided_on=date.fromisoformat(event.decided_on), event_id=envelope.event_id,
        )
    )


HANDLERS: dict[str, Handler] = {AwardConferred.type: register_conferral}
