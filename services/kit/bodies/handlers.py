"""Every service keeps its registry replica in step: the bodies registered at any service."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.bodies.service import learn_agency
from shared.contracts.events import AgencyRegistered, Envelope, Event
from shared.platform.consumer import Handler


async def apply_registration(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, AgencyRegistered)
    await learn_agency(session, event, at=envelope.occurred_at, event_id=envelope.event_id)


BODY_HANDLERS: dict[str, Handler] = {AgencyRegistered.type: apply_registration}
