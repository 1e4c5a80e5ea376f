"""The proposer learns what became of the nominations it proposed."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.nominations.models import Nomination
from shared.contracts.events import (
    CHANGE_OF_EVENT,
    AwardConferred,
    AwardRestored,
    AwardRevoked,
    AwardStripped,
    Envelope,
    Event,
    NominationForwarded,
    NominationRefused,
    NominationResubmitted,
    NominationReturned,
    NominationTransferred,
    NominationWithdrawn,
)
from shared.contracts.nomination import DECISION_STATUS
from shared.platform.consumer import Handler
from shared.rules.calendar import as_utc
from shared.rules.history import AWARD_CHANGES

# The proposer's view of its nomination, by event: a level's decision where it ends or comes back
# (DECISION_STATUS), and "in_review" while any level holds it.
OUTCOME: dict[str, str | None] = {
    NominationReturned.type: DECISION_STATUS["return"],
    NominationRefused.type: DECISION_STATUS["refuse"],
    AwardConferred.type: DECISION_STATUS["confer"],
    NominationForwarded.type: "in_review",
    NominationResubmitted.type: "in_review",
    NominationTransferred.type: None,  # keeps its status; the route changes
    NominationWithdrawn.type: "withdrawn",
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
    if envelope.type in (
        NominationReturned.type,
        NominationRefused.type,
        AwardConferred.type,
        NominationWithdrawn.type,
    ):
        nomination.outcome_at = envelope.occurred_at
        nomination.outcome_agency = envelope.source_agency
        nomination.outcome_reason = getattr(event, "reason", None)
    if isinstance(event, AwardConferred):
        nomination.decision_no = event.decision_no
    session.add(nomination)


PROPOSER_HANDLERS: dict[str, Handler] = {event_type: apply_outcome for event_type in OUTCOME}
