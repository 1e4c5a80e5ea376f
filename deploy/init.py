"""The one-shot first step of a deployment (docker-compose.yml's `init` service): every tier's
database migrated and loaded with the real hierarchy (the reference provinces, districts and
communes with their 2025 successors, and the national bodies), without demo units or officers.
Idempotent: run again, it adds nothing. The tier services start after it.

    UNIT_DATABASE_URL=… DISTRICT_DATABASE_URL=… PROVINCE_DATABASE_URL=… CENTRAL_DATABASE_URL=… \\
        python -m deploy.init
"""

import asyncio
import os
import sys

from deploy.seed import registry_rows
from services.kit.migrate import migrate_async
from services.kit.registry.service import load_versions
from shared.contracts.tiers import TIER_ORDER, Tier
from shared.platform.db import make_engine, session_factory, transaction


def variable(tier: Tier) -> str:
    return f"{tier.value.upper()}_DATABASE_URL"


async def init(urls: dict[Tier, str]) -> dict[str, int]:
    """Migrate each database and load the registry; how many agency versions each one gained."""
    rows = registry_rows(demo_units=False)
    added = {}
    for tier, url in urls.items():
        await migrate_async(tier, url)
        engine = make_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                added[tier.value] = await load_versions(session, rows)
        finally:
            await engine.dispose()
    return added


def main() -> int:
    missing = [variable(tier) for tier in TIER_ORDER if not os.environ.get(variable(tier))]
    if missing:
        print(f"set {', '.join(missing)} (one PostgreSQL URL per tier)", file=sys.stderr)
        return 2
    added = asyncio.run(init({tier: os.environ[variable(tier)] for tier in TIER_ORDER}))
    for tier, count in added.items():
        print(f"{tier}: migrated; {count} agency versions added to the registry")
    return 0


if __name__ == "__main__":
    sys.exit(main())
