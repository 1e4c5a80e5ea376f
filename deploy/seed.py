"""Seed a tier database: the agency registry replica, and in development the demo officers.

`python -m deploy.seed <tier> [--officers]`. Safe to repeat: existing rows are kept.
"""

import asyncio
import functools
import sys
from dataclasses import asdict
from datetime import UTC, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from deploy.demo_data import DEMO_OFFICERS, DEMO_UNITS, NATIONAL_BODIES, demo_token
from services.kit.identity.credentials import hash_password
from services.kit.identity.models import Officer
from services.kit.identity.tokens import issue_token
from services.kit.registry.models import Agency
from services.kit.registry.service import load_versions
from shared.contracts.tiers import Tier
from shared.hierarchy.reference import load_reference_hierarchy
from shared.platform.db import make_engine, session_factory, transaction
from shared.platform.settings import ServiceSettings


def registry_rows(*, demo_units: bool = True) -> list[dict]:
    """The real hierarchy (reference provinces, districts, communes and the national bodies), and
    the demo units unless a real deployment leaves them out."""
    reference = [
        {**asdict(v), "successors": list(v.successors), "location_code": None}
        for v in load_reference_hierarchy().versions
    ]
    return reference + NATIONAL_BODIES + (DEMO_UNITS if demo_units else [])


async def seed(tier: Tier, database_url: str, *, officers: bool) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            added = await load_versions(session, registry_rows())
            made = await seed_officers(session, tier) if officers else 0
    finally:
        await engine.dispose()
    return {"agencies_added": added, "officers_added": made}


@functools.cache
def demo_password_hash(password: str) -> str:
    """Hashing is slow on purpose; a process that seeds many databases hashes each demo password once."""
    return hash_password(password)


async def seed_officers(session: AsyncSession, tier: Tier) -> int:
    """The demo officers of this tier's agencies, each with a demo token (accepted in development
    only) and a login whose username and password are that same well-known token."""
    codes = {code for code, _, _ in DEMO_OFFICERS}
    tiers = dict(
        (await session.exec(select(col(Agency.code), col(Agency.tier)).where(col(Agency.code).in_(codes)))).all()
    )
    existing = set((await session.exec(select(Officer.id))).all())
    now = datetime.now(UTC)
    made = 0
    for agency_code, role, name in DEMO_OFFICERS:
        officer_id = f"{agency_code}:{role}"
        if tiers.get(agency_code) != tier.value or officer_id in existing:
            continue
        token = demo_token(agency_code, role)
        officer = Officer(
            id=officer_id,
            agency_code=agency_code,
            name=name,
            role=role,
            username=token.lower(),
            password_hash=demo_password_hash(token),
            created_at=now,
            created_by="seed",
            demo=True,
        )
        session.add(officer)
        await issue_token(session, officer, kind="demo", now=now, ttl=None, secret=token)
        made += 1
    return made


if __name__ == "__main__":
    chosen = Tier(sys.argv[1])
    print(asyncio.run(seed(chosen, ServiceSettings(tier=chosen).database_url, officers="--officers" in sys.argv)))
