"""Seed a tier database: the agency registry replica, and in development the demo officers.

`python -m deploy.seed <tier> [--officers]`. Safe to repeat: existing rows are kept.
"""

import asyncio
import sys
from dataclasses import asdict
from importlib import import_module

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from deploy.demo_data import DEMO_OFFICERS, DEMO_UNITS, NATIONAL_BODIES, demo_token
from services.kit.identity.models import Officer
from services.kit.identity.service import token_digest
from services.kit.registry.models import Agency
from services.kit.registry.service import load_versions
from shared.contracts.tiers import Tier
from shared.hierarchy.reference import load_reference_hierarchy
from shared.platform.db import make_engine, session_factory, transaction


def registry_rows() -> list[dict]:
    reference = [
        {**asdict(v), "successors": list(v.successors), "location_code": None}
        for v in load_reference_hierarchy().versions
    ]
    return reference + NATIONAL_BODIES + DEMO_UNITS


async def seed(tier: Tier, database_url: str, *, officers: bool) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            added = await load_versions(session, registry_rows())
            made = await seed_officers(session, tier) if officers else 0
    finally:
        await engine.dispose()
    return {"agencies_added": added, "officers_added": made}


async def seed_officers(session: AsyncSession, tier: Tier) -> int:
    codes = {code for code, _, _ in DEMO_OFFICERS}
    tiers = dict((await session.exec(select(Agency.code, Agency.tier).where(col(Agency.code).in_(codes)))).all())
    existing = set((await session.exec(select(Officer.id))).all())
    made = 0
    for agency_code, role, name in DEMO_OFFICERS:
        officer_id = f"{agency_code}:{role}"
        if tiers.get(agency_code) != tier.value or officer_id in existing:
            continue
        session.add(
            Officer(
                id=officer_id,
                agency_code=agency_code,
                name=name,
                role=role,
                token_sha256=token_digest(demo_token(agency_code, role)),
            )
        )
        made += 1
    return made


if __name__ == "__main__":
    chosen = Tier(sys.argv[1])
    settings = import_module(f"services.{chosen.value}.settings").Settings()
    print(asyncio.run(seed(chosen, settings.database_url, officers="--officers" in sys.argv)))
