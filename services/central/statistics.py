"""Statistics across reorganizations: conferred awards by the province of the proposer, where every
predecessor province is counted under the province that succeeded it (year-over-year comparison)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.central.models import ConferredAward
from services.kit.registry.models import Agency
from services.kit.registry.service import agency_on, chain_upwards

PROVINCE_KINDS = ("province", "city", "ministry", "central_agency")


@dataclass
class ProvinceYear:
    province: str
    name: str
    year: int
    awards: int = 0
    by_award: dict[str, int] = field(default_factory=dict)
    predecessors: list[str] = field(default_factory=list)  # province codes counted here, as proposed


async def successor_on(session: AsyncSession, code: str, as_of: date) -> str:
    """The agency that stands for `code` on `as_of`: itself, or its (default) successor, followed."""
    for _ in range(10):
        if await agency_on(session, code, as_of) is not None:
            return code
        last = (
            await session.exec(select(Agency).where(Agency.code == code).order_by(col(Agency.valid_from).desc()))
        ).first()
        if last is None or not last.successors:
            return code
        code = last.successors[0]
    return code


async def awards_by_province(session: AsyncSession, as_of: date) -> list[ProvinceYear]:
    table: dict[tuple[str, int], ProvinceYear] = {}
    seen: dict[tuple[str, int], set[str]] = defaultdict(set)
    for award in (await session.exec(select(ConferredAward).where(ConferredAward.status == "conferred"))).all():
        chain = await chain_upwards(session, award.proposer_agency, award.decided_on)
        then = next((a.code for a in chain if a.kind in PROVINCE_KINDS), award.proposer_agency)
        now = await successor_on(session, then, as_of)
        key = (now, award.decided_on.year)
        if key not in table:
            current = await agency_on(session, now, as_of)
            table[key] = ProvinceYear(now, current.name if current else now, award.decided_on.year)
        row = table[key]
        row.awards += 1
        row.by_award[award.award_code] = row.by_award.get(award.award_code, 0) + 1
        seen[key].add(then)
    for key, row in table.items():
        row.predecessors = sorted(seen[key])
    return sorted(table.values(), key=lambda r: (r.province, r.year))
