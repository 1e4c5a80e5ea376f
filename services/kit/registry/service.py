"""The registry replica, looked up by code and date."""

from datetime import date

from sqlalchemy import ColumnElement, and_, insert, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Invalid
from services.kit.registry.models import Agency
from shared.platform.db import transaction_memo
from shared.routing import AgencyNode, Lookup, RoutePlan, resolve_route
from shared.rules.catalog import Catalog, default_catalog
from shared.rules.movements import Movement, movement
from shared.text import fold


async def registry_lookup(
    session: AsyncSession, catalog: Catalog, code: str, on: date, found: Movement | None = None
) -> Lookup:
    """Preload what a route from `code` can touch: its ancestors, the central bodies, a launcher."""
    nodes: dict[str, AgencyNode] = {}

    def keep(agency) -> None:
        nodes[agency.code] = AgencyNode(agency.code, agency.name, agency.tier, agency.kind, agency.parent_code)

    for agency in await chain_upwards(session, code, on):
        keep(agency)
    wanted = [c for a in catalog.authorities.values() for c in a.agency_codes]
    if found is not None:
        wanted.append(found.launcher)
    for extra in wanted:
        found_agency = await agency_on(session, extra, on)
        if found_agency is not None:
            keep(found_agency)
    return nodes.get


async def plan_route(
    session: AsyncSession,
    *,
    proposer_agency: str,
    award_code: str,
    on: date,
    mode: str = "cong_trang",
    movement_code: str | None = None,
    launched: Movement | None = None,
    catalog: Catalog | None = None,
) -> RoutePlan:
    """`launched`: the movement an agency launched that `movement_code` names, if it is one
    (`movements.running.routing_movement` finds it); otherwise the catalogued movements are read."""
    rules = catalog or default_catalog()
    lookup = await registry_lookup(session, rules, proposer_agency, on, launched or movement(movement_code))
    return resolve_route(
        rules,
        lookup,
        award_code=award_code,
        managing_agency=proposer_agency,
        on=on,
        mode=mode,
        movement_code=movement_code,
        movements={launched.code: launched}.get if launched else movement,
    )


def in_force(on: date) -> ColumnElement[bool]:
    """The condition that a registry row (an agency's version) is in force on `on`."""
    return and_(col(Agency.valid_from) <= on, or_(col(Agency.valid_to).is_(None), col(Agency.valid_to) >= on))


# The registry as this transaction has read it: a tờ trình's awardees share their proposer and route,
# so each agency is read once per transaction. Whatever writes agency rows calls `registry_changed`.
REGISTRY_READ = "registry_read"


def registry_changed(session: AsyncSession) -> None:
    transaction_memo(session, REGISTRY_READ).clear()


async def agency_on(session: AsyncSession, code: str, on: date) -> Agency | None:
    """The version of agency `code` in force on `on`, if any."""
    read = transaction_memo(session, REGISTRY_READ)
    if (code, on) not in read:
        read[code, on] = (await session.exec(select(Agency).where(Agency.code == code, in_force(on)))).first()
    agency: Agency | None = read[code, on]
    return agency


async def require_known_agency(session: AsyncSession, code: str, *, field: str, hint: str = "") -> None:
    """An agency code a request names must be one the registry has known (a retired code is fine:
    that agency existed, e.g. a district merged away in 2025)."""
    if (await session.exec(select(Agency.id).where(Agency.code == code).limit(1))).first() is None:
        raise Invalid(
            f"{field} '{code}' is no agency the registry knows: GET /agencies?q= finds an agency's code by its name"
            + hint,
            vi=f"{field}: không có cơ quan mã '{code}' trong danh mục cơ quan; hãy tra mã theo tên cơ quan",
        )


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
        (code, valid_from)
        for code, valid_from in (await session.exec(select(col(Agency.code), col(Agency.valid_from)))).all()
    }
    fresh = [{**v, "search_name": fold(v["name"])} for v in versions if (v["code"], v["valid_from"]) not in existing]
    connection = await session.connection()  # a bulk insert of plain rows, below the ORM
    registry_changed(session)
    for start in range(0, len(fresh), 2000):
        await connection.execute(insert(Agency), fresh[start : start + 2000])
    return len(fresh)
