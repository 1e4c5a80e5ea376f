"""The headline figures a Sở Nội vụ reports for a year (domain.md §5.1, §6.1), for the caller's agency
and everything under it: awards by level and by form, collectives and individuals, the share of
direct workers among the individuals awarded at state level and at provincial level, and the change
on the year before. Awards count under the agency their proposer belongs to today: after the 2025
merger a new province is compared with the sum of its predecessors, and the year before is also
given by predecessor (as it stood then). Functions never commit."""

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.nominees.management import superiors
from services.kit.registry.service import chain_upwards
from services.kit.statistics.models import AwardRecord
from shared.rules.catalog import default_catalog

LEVELS = {"nha_nuoc": "Cấp Nhà nước", "bo_tinh": "Cấp bộ, ngành, tỉnh", "co_so": "Cấp cơ sở"}


@dataclass
class YearFigures:
    year: int
    total: int = 0
    by_level: dict[str, dict[str, int]] = field(default_factory=dict)  # level → kind → count
    by_award: dict[str, int] = field(default_factory=dict)
    # Among individuals with a known position: direct workers / known, per level (None: none known).
    direct_share: dict[str, float | None] = field(default_factory=dict)
    direct_counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # level → (direct, known)


async def records_under(session: AsyncSession, agency_code: str, years: set[int], today: date) -> list[AwardRecord]:
    """The conferred awards of those years whose proposer stands under `agency_code` today (a
    retired unit under the agency that succeeded its parent)."""
    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    rows = await session.exec(
        select(AwardRecord).where(
            AwardRecord.status == "conferred", col(AwardRecord.decided_on) >= first, col(AwardRecord.decided_on) <= last
        )
    )
    under: dict[str, bool] = {}
    found = []
    for record in rows.all():
        if record.proposer_agency not in under:
            under[record.proposer_agency] = agency_code in await superiors(session, record.proposer_agency, today)
        if under[record.proposer_agency]:
            found.append(record)
    return found


def figures(year: int, records: list[AwardRecord]) -> YearFigures:
    mine = [r for r in records if r.decided_on.year == year]
    result = YearFigures(year=year, total=len(mine))
    kinds: dict[str, Counter[str]] = {level: Counter() for level in LEVELS}
    for record in mine:
        kinds.setdefault(record.level, Counter())[record.nominee_kind or "unknown"] += 1
    result.by_level = {level: dict(counter) for level, counter in kinds.items()}
    result.by_award = dict(Counter(r.award_code for r in mine).most_common())
    for level in LEVELS:
        known = [r for r in mine if r.level == level and r.nominee_kind == "individual" and r.direct_worker is not None]
        direct = sum(1 for r in known if r.direct_worker)
        result.direct_counts[level] = (direct, len(known))
        result.direct_share[level] = float(Fraction(direct, len(known))) if known else None
    return result


def points(now: YearFigures, before: YearFigures, level: str) -> float | None:
    """The change of the direct-worker share on the year before, in percentage points."""
    this, last = now.direct_share[level], before.direct_share[level]
    return None if this is None or last is None else round((this - last) * 100, 1)


async def by_predecessor(session: AsyncSession, agency_code: str, records: list[AwardRecord]) -> list[dict[str, Any]]:
    """The awards counted, by the agency they stood under when conferred: the agency itself as it
    was then, or one it succeeded (old An Giang and Kiên Giang for the new An Giang, code 91),
    under the name it had. An award whose chain then met neither counts under the agency's code."""
    counts: Counter[tuple[str, str]] = Counter()
    chains: dict[tuple[str, date], tuple[str, str]] = {}
    for record in records:
        key = (record.proposer_agency, record.decided_on)
        if key not in chains:
            chain = await chain_upwards(session, record.proposer_agency, record.decided_on)
            found = next((a for a in chain if a.code == agency_code or agency_code in a.successors), None)
            chains[key] = (found.code, found.name) if found else (agency_code, agency_code)
        counts[chains[key]] += 1
    return [{"agency_code": code, "name": name, "total": n} for (code, name), n in sorted(counts.items())]


async def year_report(session: AsyncSession, *, agency_code: str, year: int, today: date) -> dict[str, Any]:
    records = await records_under(session, agency_code, {year - 1, year}, today)
    now, before = figures(year, records), figures(year - 1, records)
    earlier = [r for r in records if r.decided_on.year == year - 1]
    change = {
        "total": now.total - before.total,
        "direct_share_points": {level: points(now, before, level) for level in LEVELS},
    }
    names = {code: award.name_vi for code, award in default_catalog().awards.items()}
    return {
        "agency_code": agency_code, "year": year, "levels": LEVELS, "award_names": names,
        "this_year": asdict(now), "previous_year": asdict(before), "change": change,
        "previous_year_by_predecessor": await by_predecessor(session, agency_code, earlier),
    }  # fmt: skip
