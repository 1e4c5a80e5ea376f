"""Events every tier applies: a proposer learns what became of the nominations it proposed."""

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.consumer import Handler
from shared.events import AwardConferred, Envelope, Event
from shared.models import Nomination

OUTCOME = {
    "nomination.returned": "returned",
    "nomination.refused": "refused",
    "award.conferred": "conferred",
    "nomination.forwarded": "in_review",
    "nomination.resubmitted": "in_review",
}


async def apply_outcome(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    """Only the proposer holds a Nomination row; other services have nothing to update."""
    nomination = await session.get(Nomination, envelope.nomination_id)
    if nomination is None:
        return
    if nomination.status in FINAL:
        return
    nomination.status = OUTCOME[envelope.type]
    if envelope.type in ("nomination.returned", "nomination.refused", "award.conferred"):
        nomination.outcome_at = envelope.occurred_at
        nomination.outcome_agency = envelope.source_agency
        nomination.outcome_reason = getattr(event, "reason", None)
    if isinstance(event, AwardConferred):
        nomination.decision_no = event.decision_no
    session.add(nomination)


FINAL = ("conferred", "refused", "withdrawn")
PROPOSER_HANDLERS: dict[str, Handler] = {event_type: apply_outcome for event_type in OUTCOME}

__all__ = ["PROPOSER_HANDLERS", "apply_outcome"]
