"""The agency registry replica each service keeps: versioned rows, looked up by code and date."""

from datetime import date

from sqlalchemy import insert, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.models import Agency


async def agency_on(session: AsyncSession, code: str, on: date) -> Agency | None:
    """The version of agency `code` in force on `on`, if any."""
    rows = await session.exec(
        select(Agency).where(
            Agency.code == code,
            Agency.valid_from <= on,
            or_(Agency.valid_to.is_(None), Agency.valid_to >= on),  # type: ignore[union-attr]
        )
    )
    return rows.first()


async def chain_upwards(session: AsyncSession, code: str, on: date) -> list[Agency]:
    """The agency and its ancestors as they stood on `on`, nearest first."""
    chain: list[Agency] = []
    seen: set[str] = set()
    current: str | None = code
    while current is not None and current not in seen:
        seen.add(current)
        agency = await agency_on(session, current, on)
        if agency is None:
            break
        chain.append(agency)
        current = agency.parent_code
    return chain


async def registry_size(session: AsyncSession) -> int:
    return len((await session.exec(select(Agency.id).limit(1))).all())


async def load_versions(session: AsyncSession, versions: list[dict]) -> int:
    """Bulk-insert versions not yet present (by code and valid_from); returns how many were added."""
    existing = {
        (code, valid_from) for code, valid_from in (await session.exec(select(Agency.code, Agency.valid_from))).all()
    }
    fresh = [v for v in versions if (v["code"], v["valid_from"]) not in existing]
    for start in range(0, len(fresh), 2000):
        await session.execute(insert(Agency), fresh[start : start + 2000])
    return len(fresh)
