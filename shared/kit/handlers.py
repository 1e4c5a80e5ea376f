"""Events every tier applies: a proposer learns what became of the nominations it proposed, and
every service keeps the histories of nominees (conferred awards, recorded facts)."""

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.consumer import Handler
from shared.events import AwardConferred, Envelope, Event, NominationTransferred, NomineeFactsRecorded
from shared.kit.nominees import apply_conferral, apply_recorded_facts
from shared.models import Nomination

OUTCOME: dict[str, str | None] = {
    "nomination.returned": "returned",
    "nomination.refused": "refused",
    "award.conferred": "conferred",
    "nomination.forwarded": "in_review",
    "nomination.resubmitted": "in_review",
    "nomination.transferred": None,  # keeps its status; the route changes
    "nomination.withdrawn": "withdrawn",
}


async def apply_outcome(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    """Only the proposer holds a Nomination row; other services have nothing to update."""
    nomination = await session.get(Nomination, envelope.nomination_id)
    if nomination is None:
        return
    if nomination.status in FINAL:
        return
    if isinstance(event, NominationTransferred):
        nomination.route = event.route
    else:
        nomination.status = OUTCOME[envelope.type] or nomination.status
    if envelope.type in ("nomination.returned", "nomination.refused", "award.conferred", "nomination.withdrawn"):
        nomination.outcome_at = envelope.occurred_at
        nomination.outcome_agency = envelope.source_agency
        nomination.outcome_reason = getattr(event, "reason", None)
    if isinstance(event, AwardConferred):
        nomination.decision_no = event.decision_no
    session.add(nomination)


def chained(*handlers: Handler) -> Handler:
    """One handler that runs several in order, in the consumer's single transaction."""

    async def run(session: AsyncSession, envelope: Envelope, event: Event) -> None:
        for handler in handlers:
            await handler(session, envelope, event)

    return run


def merge_handlers(*tables: dict[str, Handler]) -> dict[str, Handler]:
    """Handlers by event type; where several tables handle a type, all run, in table order."""
    merged: dict[str, list[Handler]] = {}
    for table in tables:
        for event_type, handler in table.items():
            merged.setdefault(event_type, []).append(handler)
    return {t: hs[0] if len(hs) == 1 else chained(*hs) for t, hs in merged.items()}


FINAL = ("conferred", "refused", "withdrawn")
PROPOSER_HANDLERS: dict[str, Handler] = {event_type: apply_outcome for event_type in OUTCOME}
HISTORY_HANDLERS: dict[str, Handler] = {
    AwardConferred.type: apply_conferral,
    NomineeFactsRecorded.type: apply_recorded_facts,
}
KIT_HANDLERS = merge_handlers(PROPOSER_HANDLERS, HISTORY_HANDLERS)

__all__ = ["KIT_HANDLERS", "PROPOSER_HANDLERS", "apply_outcome", "merge_handlers"]
