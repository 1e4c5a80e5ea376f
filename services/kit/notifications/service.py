"""An officer's notifications: how many are unread, the latest ones, marking them read. Functions never commit."""

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.identity.service import Caller
from services.kit.notifications.models import Notification, NotificationSeen


async def unread_count(session: AsyncSession, caller: Caller) -> int:
    seen = await session.get(NotificationSeen, caller.officer_id)
    count = (
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.agency_code == caller.agency_code, col(Notification.id) > (seen.last_seen_id if seen else 0)
        )
    )
    return int((await session.exec(count)).one())


async def latest_notifications(session: AsyncSession, caller: Caller, *, limit: int = 50) -> list[Notification]:
    rows = await session.exec(
        select(Notification)
        .where(Notification.agency_code == caller.agency_code)
        .order_by(col(Notification.id).desc())
        .limit(limit)
    )
    return list(rows.all())


async def mark_read(session: AsyncSession, caller: Caller, up_to: int) -> None:
    seen = await session.get(NotificationSeen, caller.officer_id) or NotificationSeen(officer_id=caller.officer_id)
    seen.last_seen_id = max(seen.last_seen_id, up_to)
    session.add(seen)
