"""Every nomination and award event becomes a row of the nomination's timeline, at every service:
the proposer's tracking views and each reviewer's console show the whole route from them."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.nominations.models import Nomination
from services.kit.tracking.models import TrackingEntry
from services.kit.tracking.service import COMMON, LABELS, issue_tracking_code
from shared.contracts.events import Envelope, Event, NominationSubmitted
from shared.platform.consumer import Handler
from shared.platform.db import insert_later


async def record_tracking(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    """Add the event to the timeline; at the proposer's service, the submission also issues the
    tracking code."""
    if envelope.nomination_id is None:
        return
    if isinstance(event, NominationSubmitted):
        nomination = await session.get(Nomination, envelope.nomination_id)
        if nomination is not None:  # this service is the proposer's
            await issue_tracking_code(session, nomination=nomination, at=envelope.occurred_at)
    payload = event.model_dump(mode="json")
    entry = {
        "event_id": envelope.event_id,
        "nomination_id": envelope.nomination_id,
        "event_type": envelope.type,
        "occurred_at": envelope.occurred_at,
        "agency_code": payload.get("agency_code") or envelope.source_agency,
        "step": payload.get("step"),
        "actor": payload.get("actor") or "system",
        "reason": payload.get("reason"),
        "details": {k: v for k, v in payload.items() if k not in COMMON and v not in (None, [], {})},
    }
    insert_later(session, TrackingEntry, entry, "event_id")  # a redelivery adds nothing


TRACKING_HANDLERS: dict[str, Handler] = {event_type: record_tracking for event_type in LABELS}
