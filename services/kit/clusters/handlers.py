"""The organiser's service applies what a member sent from its own service; the member's service
keeps the organiser's answer."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.clusters.requests import apply_request, learn_answer
from shared.contracts.events import ClusterActAnswered, ClusterActRequested, Envelope, Event
from shared.platform.consumer import Handler


async def apply_act(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, ClusterActRequested)
    await apply_request(session, event)


async def apply_answer(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    assert isinstance(event, ClusterActAnswered)
    await learn_answer(session, event)


CLUSTER_HANDLERS: dict[str, Handler] = {
    ClusterActRequested.type: apply_act,
    ClusterActAnswered.type: apply_answer,
}
