"""Events that concern an agency's officers become notifications at the service that hosts the
agency (where its officers are): a nomination received, a reminder, an escalation, an officer's
urging (đôn đốc), a return, a refusal, a forward and a conferral of the agency's own proposal."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.identity.models import Officer
from services.kit.notifications.mail import Mailing, queue_mails
from services.kit.notifications.models import Notification
from shared.contracts.events import (
    AwardConferred,
    DeadlineReminder,
    Envelope,
    Event,
    NominationEscalated,
    NominationForwarded,
    NominationReceived,
    NominationRefused,
    NominationReturned,
    NominationUrged,
)
from shared.platform.consumer import Handler
from shared.platform.db import insert_later, insert_unless_present, transaction_memo


def _told(event: Event) -> list[tuple[str, str]]:
    """(agency, Vietnamese text) for each agency this event concerns."""
    p = event.model_dump()
    who = f"{p['nominee_name']} ({p['award_code']})"
    reason = f": {p['reason']}" if p.get("reason") else ""
    if isinstance(event, NominationReceived):
        return [(event.agency_code, f"Hồ sơ mới cần xử lý: {who}")]
    if isinstance(event, DeadlineReminder):
        return [(event.agency_code, f"Nhắc hạn: {who}, hạn xử lý {event.due_on}")]
    if isinstance(event, NominationEscalated):
        told = [(event.agency_code, f"Quá hạn xử lý: {who}, hạn {event.due_on}")]
        return told + ([(event.to_agency, f"Hồ sơ quá hạn được chuyển đến: {who}")] if event.to_agency else [])
    if isinstance(event, NominationUrged):
        to = f" (giao cho {event.assigned_to})" if event.assigned_to else ""
        return [(event.to_agency, f"Đôn đốc từ {event.agency_code}: {who}{to}{reason}")]
    if isinstance(event, NominationReturned):
        return [(event.proposer_agency, f"Hồ sơ bị trả lại để bổ sung: {who}{reason}")]
    if isinstance(event, NominationRefused):
        return [(event.proposer_agency, f"Hồ sơ không được đồng ý: {who}{reason}")]
    if isinstance(event, NominationForwarded) and event.agency_code != event.proposer_agency:
        return [(event.proposer_agency, f"Hồ sơ đã được {event.agency_code} trình lên {event.to_agency}: {who}")]
    if isinstance(event, AwardConferred):
        return [(event.proposer_agency, f"Đã có quyết định khen thưởng {event.decision_no}: {who}")]
    return []


def notifier(mailing: Mailing | None = None) -> Handler:
    """The handler that tells the agencies an event concerns; with `mailing` (SMTP configured), each
    notification's e-mails are written in the same transaction."""

    async def notify(session: AsyncSession, envelope: Envelope, event: Event) -> None:
        hosting = transaction_memo(session, "hosted_agencies")  # a fetch's events name few agencies
        for agency_code, text in _told(event):
            if agency_code not in hosting:
                found = select(Officer.id).where(Officer.agency_code == agency_code).limit(1)
                hosting[agency_code] = (await session.exec(found)).first()
            hosted = hosting[agency_code]
            if hosted is None:
                continue
            notification = Notification(
                key=f"{envelope.event_id}:{agency_code}",
                agency_code=agency_code,
                kind=envelope.type,
                nomination_id=envelope.nomination_id,
                text=text,
                created_at=envelope.occurred_at,
            )
            row = notification.model_dump(exclude={"id"})
            if mailing is None:  # written with the fetch's other notifications, in one statement
                insert_later(session, Notification, row, "key")
            elif await insert_unless_present(session, Notification, row, "key"):
                # One statement; a redelivery adds nothing, and queues no mail twice.
                await queue_mails(session, notification, mailing)

    return notify


TOLD = (
    NominationReceived,
    DeadlineReminder,
    NominationEscalated,
    NominationUrged,
    NominationReturned,
    NominationRefused,
    NominationForwarded,
    AwardConferred,
)


def notification_handlers(mailing: Mailing | None = None) -> dict[str, Handler]:
    handler = notifier(mailing)
    return {event.type: handler for event in TOLD}


NOTIFICATION_HANDLERS = notification_handlers()
