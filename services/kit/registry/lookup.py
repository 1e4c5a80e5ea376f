"""Looking agencies up: by code or by name with or without diacritics, and an agency's story on a
date: its versions, parent, predecessors and successors (what did C30820 become?).

Functions never commit.
"""

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Invalid, NotFound
from services.kit.registry.models import Agency
from services.kit.registry.service import agency_on, in_force
from shared.contracts.tiers import TIER_ORDER
from shared.text import fold

MAX_HOPS = 10  # successors of successors: a chain of reorganizations is short


def brief(agency: Agency) -> dict[str, Any]:
    return {"code": agency.code, "name": agency.name, "tier": agency.tier, "kind": agency.kind}


def version_of(agency: Agency) -> dict[str, Any]:
    return {
        **brief(agency),
        "parent_code": agency.parent_code,
        "valid_from": agency.valid_from,
        "valid_to": agency.valid_to,
        "successors": list(agency.successors or []),
        "legal_basis": agency.legal_basis,
    }


async def find_agencies(session: AsyncSession, *, query: str, on: date, limit: int) -> list[dict[str, Any]]:
    """Agencies in force on `on` whose code is `query` or whose name contains it, diacritics or not."""
    folded = fold(query)
    if len(folded) < 2:
        raise Invalid("type at least 2 letters of a name, or a code (nhập ít nhất 2 ký tự)")
    rows = await session.exec(
        select(Agency).where(
            in_force(on),
            sa.or_(
                col(Agency.code) == query.strip().upper(), col(Agency.search_name).contains(folded, autoescape=True)
            ),
        )
    )
    rank = {tier.value: i for i, tier in enumerate(reversed(TIER_ORDER))}
    found = sorted(
        rows.all(),
        key=lambda a: (
            a.code != query.strip().upper(),
            not (a.search_name or "").startswith(folded),
            rank.get(a.tier, 9),
            a.name,
        ),
    )
    return [{**brief(a), "parent_code": a.parent_code} for a in found[:limit]]


async def agency_story(session: AsyncSession, *, code: str, on: date) -> dict[str, Any]:
    """Every version of `code`, the one in force on `on`, and who came before and after it."""
    versions = list(
        (await session.exec(select(Agency).where(Agency.code == code).order_by(col(Agency.valid_from)))).all()
    )
    if not versions:
        raise NotFound(f"no agency {code} in the registry (mã đơn vị không tồn tại)")
    current = await agency_on(session, code, on)
    parent = await agency_on(session, current.parent_code, on) if current and current.parent_code else None
    predecessors = (
        await session.exec(
            select(Agency).where(
                col(Agency.valid_to).is_not(None), sa.cast(col(Agency.successors), sa.String).like(f'%"{code}"%')
            )
        )
    ).all()
    successors = [s for v in versions if v.valid_to is not None and v.valid_to < on for s in v.successors or []]
    return {
        "code": code,
        "on": on,
        "in_force": version_of(current) if current else None,
        "parent": brief(parent) if parent else None,
        "versions": [version_of(v) for v in versions],
        "predecessors": [{**brief(p), "valid_to": p.valid_to} for p in predecessors if p.code != code],
        "successors": [brief(a) for s in dict.fromkeys(successors) if (a := await latest(session, s))],
        "now_part_of": [brief(a) for a in await heirs(session, code, on)] if current is None else [],
    }


async def latest(session: AsyncSession, code: str) -> Agency | None:
    rows = await session.exec(select(Agency).where(Agency.code == code).order_by(col(Agency.valid_from).desc()))
    return rows.first()


async def heirs(session: AsyncSession, code: str, on: date) -> list[Agency]:
    """The agencies in force on `on` that a retired agency's successors, followed, arrive at."""
    frontier, found, seen = [code], [], {code}
    for _ in range(MAX_HOPS):
        following = []
        for retired in frontier:
            last = await latest(session, retired)
            for successor in last.successors if last else []:
                if successor in seen:
                    continue
                seen.add(successor)
                alive = await agency_on(session, successor, on)
                if alive is not None:
                    found.append(alive)
                else:
                    following.append(successor)
        if not following:
            break
        frontier = following
    return found
