"""The headline figures a Sở Nội vụ reports (domain.md §5.1, §6.1), for the caller's agency with or
without everything under it: awards by level and by form, collectives and individuals, the share of
direct workers among the individuals awarded at state level and at provincial level, the share of
small collectives among the collectives awarded, the change on the year before, and totals over a
range of years. Awards count under the agency their proposer belongs to today: after the 2025 merger
a new province is compared with the sum of its predecessors, and the year before is also given by
predecessor (as it stood then). Functions never commit."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.nominees.management import superiors
from services.kit.nominees.models import Nominee
from services.kit.registry.models import Agency
from services.kit.registry.service import agency_on, chain_upwards
from services.kit.statistics.filters import Filters
from services.kit.statistics.models import AwardRecord
from shared.rules.catalog import default_catalog

LEVELS = {"nha_nuoc": "Cấp Nhà nước", "bo_tinh": "Cấp bộ, ngành, tỉnh", "co_so": "Cấp cơ sở"}
ENTERPRISE_KINDS = {"enterprise"}


@dataclass
class YearFigures:
    year: int | None  # None: the figures of a range of years
    total: int = 0
    by_level: dict[str, dict[str, int]] = field(default_factory=dict)  # level → kind → count
    by_award: dict[str, int] = field(default_factory=dict)
    # Among individuals with a known position: direct workers / known, per level (None: none known).
    direct_share: dict[str, float | None] = field(default_factory=dict)
    direct_counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # level → (direct, known)
    # Among collectives whose nature is known: small ones (a team, a division) / known (decision 0035).
    small_share: float | None = None
    small_counts: tuple[int, int] = (0, 0)


async def stands_under(session: AsyncSession, proposer: str, filters: Filters, today: date) -> bool:
    """Whether a proposer counts for the filters' agency today: under it (a retired unit under the
    agency that succeeded its parent), or, without subordinates, the agency itself or a retired
    body it succeeded."""
    chain = await superiors(session, proposer, today)
    if filters.subordinates:
        return filters.agency_code in chain
    standing = chain[0] if await agency_on(session, proposer, today) is not None else next(iter(chain[1:]), None)
    return standing == filters.agency_code


async def records_under(
    session: AsyncSession, filters: Filters, years: Iterable[int], today: date
) -> list[AwardRecord]:
    """The awards in force conferred in those years that the filters admit."""
    wanted = sorted(years)
    query = select(AwardRecord).where(
        AwardRecord.status == "conferred",
        col(AwardRecord.decided_on) >= date(wanted[0], 1, 1),
        col(AwardRecord.decided_on) <= date(wanted[-1], 12, 31),
    )
    if filters.award:
        query = query.where(AwardRecord.award_code == filters.award)
    if filters.mode:
        query = query.where(AwardRecord.mode == filters.mode)
    if filters.kind:
        query = query.where(AwardRecord.nominee_kind == filters.kind)
    under: dict[str, bool] = {}
    found = []
    for record in (await session.exec(query)).all():
        if record.proposer_agency not in under:
            under[record.proposer_agency] = await stands_under(session, record.proposer_agency, filters, today)
        if under[record.proposer_agency]:
            found.append(record)
    return found


async def collective_natures(session: AsyncSession, records: list[AwardRecord]) -> dict[str, str]:
    """Each collective awardee's nature by nomination: `small` (a team, a division, a faculty: a
    collective an agency registered as its nominee, not a body of the registry), `enterprise` or
    `agency` (a body of the registry, by its kind), `unknown` (named only, or recorded before
    decision 0035)."""
    ids = {r.nominee_id for r in records if r.nominee_kind == "collective" and r.nominee_id}
    bodies: dict[str, str] = {}
    registered: set[str] = set()
    if ids:
        for code, kind in (await session.exec(select(Agency.code, Agency.kind).where(col(Agency.code).in_(ids)))).all():
            bodies[code] = "enterprise" if kind in ENTERPRISE_KINDS else "agency"
        nominees = await session.exec(select(Nominee.id).where(col(Nominee.id).in_(ids), Nominee.kind == "collective"))
        registered = set(nominees.all())
    natures = {}
    for record in records:
        if record.nominee_kind == "collective":
            known = record.nominee_id or ""
            natures[record.nomination_id] = bodies.get(known) or ("small" if known in registered else "unknown")
    return natures


def share(part: int, whole: int) -> float | None:
    return float(Fraction(part, whole)) if whole else None


def figures(year: int | None, records: list[AwardRecord], natures: dict[str, str]) -> YearFigures:
    """The figures of one year (or, with `year` None, of every record given)."""
    mine = [r for r in records if year is None or r.decided_on.year == year]
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
        result.direct_share[level] = share(direct, len(known))
    collectives = [natures.get(r.nomination_id, "unknown") for r in mine if r.nominee_kind == "collective"]
    small, known_collectives = collectives.count("small"), sum(1 for n in collectives if n != "unknown")
    result.small_counts = (small, known_collectives)
    result.small_share = share(small, known_collectives)
    return result


def points(this: float | None, last: float | None) -> float | None:
    """The change of a share on the year before, in percentage points."""
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


async def year_report(session: AsyncSession, *, filters: Filters, today: date) -> dict[str, Any]:
    """The report of the filters' last year beside the year before, and of the whole range."""
    year = filters.to_year
    records = await records_under(session, filters, {*filters.years, year - 1}, today)
    natures = await collective_natures(session, records)
    now, before = figures(year, records, natures), figures(year - 1, records, natures)
    in_range = [r for r in records if r.decided_on.year >= filters.from_year]
    earlier = [r for r in records if r.decided_on.year == year - 1]
    change = {
        "total": now.total - before.total,
        "direct_share_points": {level: points(now.direct_share[level], before.direct_share[level]) for level in LEVELS},
        "small_share_points": points(now.small_share, before.small_share),
    }
    by_year = [asdict(figures(y, in_range, natures)) for y in filters.years]
    names = {code: award.name_vi for code, award in default_catalog().awards.items()}
    return {
        "agency_code": filters.agency_code, "year": year, "filters": asdict(filters), "levels": LEVELS,
        "award_names": names, "this_year": asdict(now), "previous_year": asdict(before), "change": change,
        "period": {"from_year": filters.from_year, "to_year": year, **asdict(figures(None, in_range, natures))},
        "by_year": [{k: row[k] for k in ("year", "total", "by_level", "small_counts")} for row in by_year],
        "previous_year_by_predecessor": await by_predecessor(session, filters.agency_code, earlier),
    }  # fmt: skip
