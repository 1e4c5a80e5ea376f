"""Every service erases its own copies when told, and learns no erased value again from an event
that was on its way (decision 0040)."""

from datetime import UTC, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.erasure.service import ACTION, ERASED, audit_key, audited, erase_copies, scrub_envelope
from services.kit.nominees.models import Nominee
from shared.contracts.events import AwardConferred, Envelope, Event, NomineePersonalErased, NomineeRegistered
from shared.platform.audit import append_audit
from shared.platform.consumer import Handler
from shared.platform.outbox import OutboxEvent


async def apply_erasure(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    """Erase this service's copies and record it in this service's own audit log (how many values,
    none of them). Applying it again erases nothing more and records nothing more."""
    assert isinstance(event, NomineePersonalErased)
    erased, _ = await erase_copies(session, event.nominee_id, event.nomination_ids)
    nominee = await session.get(Nominee, event.nominee_id)
    last = nominee.personal_erased_at if nominee is not None else None
    if nominee is not None and (last is None or _aware(last) < envelope.occurred_at):
        nominee.personal_erased_at = envelope.occurred_at
        session.add(nominee)
    key = audit_key(event.nominee_id, envelope.event_id)
    if await audited(session, key):  # the managing agency's own service, or a redelivery
        return
    await append_audit(
        session,
        idempotency_key=key,
        at=datetime.now(UTC),
        agency_code=event.agency_code,
        actor=event.actor,
        action=ACTION,
        outcome="erased_copies",
        details={"nominee_id": event.nominee_id, "basis": event.basis, "fields": list(ERASED), "values": erased},
    )


async def forget_erased(session: AsyncSession, envelope: Envelope, event: Event) -> None:
    """Runs before every other handler of these events: a registration told before the nominee's
    erasure, and any conferral about an erased nominee, reach them without the erased values (an
    event on its way during the erasure, or a nomination in flight that still carries the dossier's)."""
    if isinstance(event, NomineeRegistered):
        nominee = await session.get(Nominee, event.nominee_id)
        if nominee is not None and nominee.personal_erased_at is not None:
            if envelope.occurred_at <= _aware(nominee.personal_erased_at):
                event.sex = event.ethnicity = None
    elif isinstance(event, AwardConferred) and event.nominee_id and (event.nominee_sex or event.nominee_ethnicity):
        nominee = await session.get(Nominee, event.nominee_id)
        if nominee is not None and nominee.personal_erased_at is not None:
            event.nominee_sex = event.nominee_ethnicity = None
            # At the service that decided it, its own outbox row too.
            row = (await session.exec(select(OutboxEvent).where(OutboxEvent.event_id == envelope.event_id))).first()
            if row is not None:
                scrub_envelope(session, row)


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; every one stored here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


ERASURE_GUARDS: dict[str, Handler] = {NomineeRegistered.type: forget_erased, AwardConferred.type: forget_erased}
ERASURE_HANDLERS: dict[str, Handler] = {NomineePersonalErased.type: apply_erasure}
