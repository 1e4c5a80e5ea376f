"""Events every tier applies: a proposer learns what became of the nominations it proposed, and
every service keeps the histories of nominees (conferred awards, later changes, recorded facts)."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.consumer import Handler
from shared.events import (
    AwardConferred,
    AwardRestored,
    AwardRevoked,
    AwardStripped,
    Envelope,
    Event,
    NominationTransferred,
    NomineeFactsRecorded,
)
from shared.kit.nominees import CHANGE_OF_EVENT, apply_award_change, apply_conferral, apply_recorded_facts
from shared.kit.outcomes import store_change
from shared.kit.tracking import TRACKING_HANDLERS
from shared.models import Nomination, Review
from shared.rules.calendar import as_utc
from shared.rules.history import AWARD_CHANGES

OUTCOME: dict[str, str | None] = {
    "nomination.returned": "returned",
    "nomination.refused": "refused",
    "award.conferred": "conferred",
    "nomination.forwarded": "in_review",
    "nomination.resubmitted": "in_review",
    "nomination.transferred": None,  # keeps its status; the route changes
    "nomination.withdrawn": "withdrawn",
    # After the conferral (FINAL), only these move the status, along AWARD_CHANGES.
    AwardRevoked.type: "revoked",
    AwardStripped.type: "stripped",
    AwardRestored.type: "conferred",
}
FINAL = ("conferred", "refused", "withdrawn", "revoked", "stripped")


async def apply_outcome(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    """Only the proposer holds a Nomination row; other services have nothing to update."""
    nomination = await session.get(Nomination, envelope.nomination_id)
    if nomination is None:
        return
    if envelope.type in CHANGE_OF_EVENT:
        # A revoked award stays revoked whatever arrives later; a restore applies to a stripped title only.
        if CHANGE_OF_EVENT[envelope.type] in AWARD_CHANGES.get(nomination.status, {}):
            nomination.status = OUTCOME[envelope.type] or nomination.status
            session.add(nomination)
        return
    if nomination.status in FINAL:
        return
    if isinstance(event, NominationTransferred):
        nomination.route = event.route
        session.add(nomination)
        return
    # Events from different services arrive in any order: a level's "forwarded" can come after the
    # next level's "returned". The status follows the latest event by when it happened.
    at = as_utc(envelope.occurred_at)
    if nomination.status_at is not None and at < as_utc(nomination.status_at):
        return
    nomination.status, nomination.status_at = OUTCOME[envelope.type] or nomination.status, at
    if envelope.type in ("nomination.returned", "nomination.refused", "award.conferred", "nomination.withdrawn"):
        nomination.outcome_at = envelope.occurred_at
        nomination.outcome_agency = envelope.source_agency
        nomination.outcome_reason = getattr(event, "reason", None)
    if isinstance(event, AwardConferred):
        nomination.decision_no = event.decision_no
    session.add(nomination)


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


PROPOSER_HANDLERS: dict[str, Handler] = {event_type: apply_outcome for event_type in OUTCOME}
HISTORY_HANDLERS: dict[str, Handler] = {
    AwardConferred.type: apply_conferral,
    NomineeFactsRecorded.type: apply_recorded_facts,
    **{event_type: apply_award_change for event_type in CHANGE_OF_EVENT},
}
CHANGE_HANDLERS: dict[str, Handler] = {event_type: remember_award_change for event_type in CHANGE_OF_EVENT}
KIT_HANDLERS = merge_handlers(PROPOSER_HANDLERS, HISTORY_HANDLERS, CHANGE_HANDLERS, TRACKING_HANDLERS)

__all__ = ["KIT_HANDLERS", "PROPOSER_HANDLERS", "apply_outcome", "merge_handlers", "remember_award_change"]
