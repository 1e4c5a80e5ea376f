"""Every service keeps the movements launched anywhere, and the registrations in them."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.movements.running import learn_movement, learn_registration
from shared.contracts.events import Envelope, Event, MovementPublished, MovementRegistered
from shared.platform.consumer import Handler


async def apply_movement(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, MovementPublished)
    await learn_movement(session, event)


async def apply_registration(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, MovementRegistered)
    await learn_registration(session, event)


MOVEMENT_HANDLERS: dict[str, Handler] = {
    MovementPublished.type: apply_movement,
    MovementRegistered.type: apply_registration,
}
