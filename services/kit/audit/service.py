"""Reading an agency's audit records: by nomination, officer, action and date. Functions never commit."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.platform.audit import AuditRecord

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def day_start(day: date) -> datetime:
    """The moment a day begins in Vietnam, in UTC (records are stored in UTC)."""
    return datetime.combine(day, time.min, tzinfo=VIETNAM).astimezone(UTC)


@dataclass(frozen=True)
class AuditFilter:
    nomination_id: str = ""
    actor: str = ""
    action: str = ""  # a prefix: "decision." finds every decision
    since: date | None = None
    until: date | None = None


async def agency_records(
    session: AsyncSession, agency_code: str, chosen: AuditFilter, *, limit: int, offset: int = 0
) -> tuple[list[AuditRecord], int]:
    """The agency's records matching `chosen`, oldest first, and how many match in all."""
    statement = select(AuditRecord).where(AuditRecord.agency_code == agency_code)
    if chosen.nomination_id:
        statement = statement.where(AuditRecord.nomination_id == chosen.nomination_id)
    if chosen.actor:
        statement = statement.where(AuditRecord.actor == chosen.actor)
    if chosen.action:
        statement = statement.where(col(AuditRecord.action).startswith(chosen.action, autoescape=True))
    if chosen.since:
        statement = statement.where(col(AuditRecord.at) >= day_start(chosen.since))
    if chosen.until:
        statement = statement.where(col(AuditRecord.at) < day_start(chosen.until + timedelta(days=1)))
    total = (await session.exec(select(func.count()).select_from(statement.subquery()))).one()
    rows = await session.exec(statement.order_by(col(AuditRecord.seq)).offset(offset).limit(limit))
    return list(rows.all()), int(total)
